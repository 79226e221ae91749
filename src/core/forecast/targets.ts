/**
 * Revenue targets and the plan back from them: the chance of reaching each (the share of draws at
 * or above it), the expected gap, and what closes the gap at today's rates — more won deals at the
 * average won size, more deals created per month (those created from now until the period ends,
 * weighted by their chance of being won inside it), and more leads per channel per month at each
 * channel's current deals per lead.
 */
import { asOfDayNumber, firstDayOf, monthOfDay } from './days.js';
import type { FittedModel } from './model.js';
import type { Draws } from './monte-carlo.js';
import { type PeriodSpan, periodSpans, periodSums, totalSeries, wonToDateIn } from './periods.js';
import type { WonDeal } from './won.js';

/** A target's period as given by a person (` 2027-q1 `), spelt as targets are kept (`2027-Q1`). */
export function targetPeriod(text: string): string {
  return text.trim().toUpperCase();
}

export interface RevenueTarget {
  /** "2027-03", "2027-Q1" or "2027" in the workspace's zone. */
  readonly period: string;
  /** Bookings in minor units of the workspace currency. */
  readonly amount: number;
}

/** A lead (a person's first conversion) and the channel credited with it. */
export interface LeadTouch {
  /** When the lead converted (UTC ms). */
  readonly at: number;
  readonly channel: string | null;
}

export interface TargetPlan {
  /** More won deals needed, at the average won size. */
  readonly extraWonDeals: number;
  /** More deals to create in each month from now until the period's last month. */
  readonly extraDealsPerMonth: number;
  readonly creationMonths: number;
  /** More leads per channel per month, in the channels' current mix; null without lead data. */
  readonly extraLeadsPerMonth:
    | readonly { readonly channel: string | null; readonly leads: number | null }[]
    | null;
}

export interface TargetOutlook {
  readonly period: string;
  readonly amount: number;
  /** False when the horizon does not cover the whole period: then it is not judged. */
  readonly complete: boolean;
  /**
   * Share of draws at or above the target; null unless the horizon covers the whole period (part
   * of a period would be judged against all of its target).
   */
  readonly probability: number | null;
  /** Mean of the draws (whole minor units). */
  readonly expected: number | null;
  /** max(0, target − expected). */
  readonly expectedGap: number | null;
  /** Null when there is no gap, or when no deal created from now could be won in time. */
  readonly plan: TargetPlan | null;
  /** "2018-06": the last month of the horizon when it covers only the start of the period. */
  readonly coveredTo: string | null;
  /** Months of horizon that would cover the whole period; null when it does, or has ended. */
  readonly horizonNeeded: number | null;
}

export function evaluateTargets(
  model: FittedModel,
  draws: Draws,
  won: readonly WonDeal[],
  targets: readonly RevenueTarget[],
  leads: readonly LeadTouch[] | undefined,
  timeZone: string,
): TargetOutlook[] {
  const spans = new Map(periodSpans(model).map((span) => [span.period, span]));
  const revenue = totalSeries(draws).revenue;
  return targets.map((target) => {
    const span = spans.get(target.period);
    if (span === undefined || !span.complete) {
      const last = span === undefined ? undefined : Math.max(...span.monthIndexes);
      return {
        ...target,
        complete: false,
        probability: null,
        expected: null,
        expectedGap: null,
        plan: null,
        coveredTo: last === undefined ? null : model.months[last].key,
        horizonNeeded: horizonNeeded(model, target.period),
      };
    }
    const sums = periodSums(revenue, draws, span.monthIndexes, wonToDateIn(won, span).revenue);
    let reached = 0;
    let total = 0;
    for (const sum of sums) {
      if (sum >= target.amount) reached++;
      total += sum;
    }
    const expected = Math.round(total / sums.length);
    const gap = Math.max(0, target.amount - expected);
    return {
      ...target,
      complete: true,
      probability: reached / sums.length,
      expected,
      expectedGap: gap,
      plan: gap > 0 ? planFor(model, span, gap, leads, timeZone) : null,
      coveredTo: null,
      horizonNeeded: null,
    };
  });
}

/** Months from as-of's month to the period's last one; null for a period over before it. */
function horizonNeeded(model: FittedModel, period: string): number | null {
  const match = /^(\d{4})(?:-Q([1-4])|-(\d{2}))?$/.exec(period);
  const first = model.months[0];
  if (match === null || first === undefined) return null;
  const year = Number(match[1]);
  const lastMonth =
    match[2] !== undefined ? Number(match[2]) * 3 : match[3] !== undefined ? Number(match[3]) : 12;
  const months = (year - Number(first.year)) * 12 + lastMonth - Number(first.key.slice(5)) + 1;
  return months > model.months.length ? months : null;
}

function planFor(
  model: FittedModel,
  span: PeriodSpan,
  gap: number,
  leads: readonly LeadTouch[] | undefined,
  timeZone: string,
): TargetPlan | null {
  const size = model.newDeal.distribution?.point ?? 0;
  if (size <= 0) return null;
  const { winChance, channels } = model.newPipeline;
  const lastMonth = Math.max(...span.monthIndexes);
  // A deal created in month j (up to the period's end) is won inside the period with this chance.
  let chanceSum = 0;
  for (let j = 0; j <= lastMonth; j++)
    for (const m of span.monthIndexes) chanceSum += winChance[j][m];
  if (chanceSum <= 0) return null;
  const extraWonDeals = gap / size;
  const extraDealsPerMonth = extraWonDeals / chanceSum;
  return {
    extraWonDeals,
    extraDealsPerMonth,
    creationMonths: lastMonth + 1,
    extraLeadsPerMonth:
      leads === undefined ? null : leadsPlan(model, channels, extraDealsPerMonth, leads, timeZone),
  };
}

/** Extra deals split in the channels' current mix, over each channel's deals per lead. */
function leadsPlan(
  model: FittedModel,
  channels: FittedModel['newPipeline']['channels'],
  extraDealsPerMonth: number,
  leads: readonly LeadTouch[],
  timeZone: string,
): { channel: string | null; leads: number | null }[] {
  const created = channels.reduce((sum, c) => sum + c.created, 0);
  const window = channels[0]?.months ?? 0;
  const asOfMonth = monthOfDay(model.asOfDay);
  const windowEnd = firstDayOf(asOfMonth);
  const windowStart = firstDayOf({ year: asOfMonth.year, month: asOfMonth.month - window });
  const leadsBy = new Map<string | null, number>();
  for (const lead of leads) {
    const day = asOfDayNumber(lead.at, timeZone);
    if (day >= windowStart && day < windowEnd)
      leadsBy.set(lead.channel, (leadsBy.get(lead.channel) ?? 0) + 1);
  }
  return channels.map((channel) => {
    const channelLeads = leadsBy.get(channel.channel) ?? 0;
    const dealsPerLead = channelLeads > 0 ? channel.created / channelLeads : 0;
    const deals = created > 0 ? (extraDealsPerMonth * channel.created) / created : 0;
    return { channel: channel.channel, leads: dealsPerLead > 0 ? deals / dealsPerLead : null };
  });
}
