/**
 * Funnel statistics of one pipeline as of an instant: deal counts, win rate, stage conversion and
 * time in stage, time to close, deal sizes, sales velocity and lead cohorts, each with the number
 * of deals it came from. README.md in this folder gives the definitions.
 */

import { checkTimeZone } from '../calendar.js';
import type { Deal } from '../deals.js';
import {
  checkSomeDealKnown,
  dealsAsOf,
  defaultAsOf,
  givenAsOfLaterDatesNote,
  knownBy,
  laterDatesNote,
} from '../deals-as-of.js';
import { leadCohorts, momentOf } from './cohorts.js';
import { dealSize, dealSizeGroups, type SizedDeal } from './deal-size.js';
import { inPeriod, inPipelineAndSegment } from './filters.js';
import { counted } from './notes.js';
import { stageFunnel } from './stages.js';
import { timeToClose } from './time-to-close.js';
import type { Amount, Cohort, DealCounts, FunnelInput, FunnelStatistics } from './types.js';

export function funnelStatistics(input: FunnelInput): FunnelStatistics {
  const { pipeline, timeZone, currency } = input;
  checkTimeZone(timeZone);
  const now = input.now ?? Date.now();
  const asOf = input.asOf ?? defaultAsOf(input.deals, timeZone, now);
  const known =
    asOf === null ? input.deals : dealsAsOf(input.deals, asOf, { timeZone, pipelines: [pipeline] });
  if (input.asOf !== undefined) {
    checkSomeDealKnown(input.deals, known, input.asOf, timeZone, input.asOfName ?? 'asOf');
  }
  const later =
    input.asOf === undefined
      ? laterDatesNote(input.deals, timeZone, now)
      : givenAsOfLaterDatesNote(input.deals, timeZone, now, input.asOf);
  const selected = inPipelineAndSegment(known, pipeline.name, input.segment);
  const period =
    input.period === undefined ? null : inPeriod(selected.deals, input.period, timeZone);
  const deals = period?.deals ?? selected.deals;

  const counts = countStatuses(deals);
  const closed = counts.won + counts.lost;
  const winRate = closed === 0 ? null : counts.won / closed;
  const won = sizeWonDeals(deals, input.amountOf, input.currency);
  const wonRevenue: Amount = { amount: sum(won.sized), currency, n: won.sized.length };
  const size = dealSize(
    won.sized.map(({ value }) => value),
    currency,
  );
  const stages = stageFunnel(deals, pipeline, timeZone);
  const times = timeToClose(deals, asOf, timeZone);
  const salesVelocity: Amount = {
    amount: velocity(counts.open, winRate, size.average.amount, times.timeToClose.median),
    currency,
    n: counts.open,
  };
  const byChannel = (map: ReadonlyMap<string, string> | undefined) =>
    map === undefined
      ? null
      : dealSizeGroups(won.sized, (deal) => map.get(deal.id) ?? null, currency);

  return {
    asOf,
    pipeline: pipeline.name,
    currency,
    deals: counts,
    wonRevenue,
    winRate,
    stages: stages.stages,
    timeToClose: times.timeToClose,
    timeToWinKM: times.timeToWinKM,
    averageDealSize: size.average,
    medianDealSize: size.median,
    dealSizeBy: {
      firstTouch: byChannel(input.firstTouch),
      lastTouch: byChannel(input.lastTouch),
      segment: dealSizeGroups(won.sized, (deal) => deal.segment, currency),
    },
    salesVelocity,
    cohorts: cohortsOf(input, selected.deals, asOf),
    notes: [
      ...(later === null ? [] : [later]),
      ...selected.notes,
      ...(period?.notes ?? []),
      ...won.notes,
      ...stages.notes,
      ...times.notes,
    ],
  };
}

function countStatuses(deals: readonly Deal[]): DealCounts {
  const counts = { total: deals.length, open: 0, won: 0, lost: 0 };
  for (const deal of deals) counts[deal.status]++;
  return counts;
}

/**
 * Won deals with their value in the workspace currency. Those left out are said apart: a deal
 * with no amount, and one whose amount is in a currency with no exchange rate (as the forecast
 * says it: the fix is a rate, not the deal).
 */
function sizeWonDeals(
  deals: readonly Deal[],
  amountOf: (deal: Deal) => number | null,
  currency: string,
): { sized: SizedDeal[]; notes: string[] } {
  const sized: SizedDeal[] = [];
  let unknown = 0;
  const unconverted = new Map<string, number>();
  for (const deal of deals) {
    if (deal.status !== 'won') continue;
    const value = amountOf(deal);
    if (value !== null) sized.push({ deal, value });
    else if (deal.amountMinor === null || deal.currency === null || deal.currency === currency) {
      unknown++;
    } else unconverted.set(deal.currency, (unconverted.get(deal.currency) ?? 0) + 1);
  }
  const notes =
    unknown === 0
      ? []
      : [
          `${counted(unknown, 'won deal')} without a known amount left out of won revenue and deal size`,
        ];
  for (const [code, count] of [...unconverted].sort(([a], [b]) => a.localeCompare(b))) {
    notes.push(
      `${code} has no exchange rate to ${currency}: ${counted(count, 'won deal')} in it left out of won revenue and deal size until a rate is imported`,
    );
  }
  return { sized, notes };
}

function sum(sized: readonly SizedDeal[]): number {
  let total = 0;
  for (const { value } of sized) total += value;
  return total;
}

/** Won revenue to expect per day from the open deals; null when a factor is unknown or zero days. */
function velocity(
  open: number,
  winRate: number | null,
  averageDealSize: number | null,
  medianDaysToClose: number | null,
): number | null {
  if (winRate === null || averageDealSize === null || medianDaysToClose === null) return null;
  if (medianDaysToClose <= 0) return null;
  return Math.round((open * winRate * averageDealSize) / medianDaysToClose);
}

/** Cohorts over the pipeline's (and segment's) deals whatever the period: leads have their own. */
function cohortsOf(
  input: FunnelInput,
  deals: readonly Deal[],
  asOf: number | null,
): Cohort[] | null {
  if (input.leads === undefined) return null;
  const known = asOf === null ? () => true : knownBy(asOf, input.timeZone);
  const leads = input.leads.filter((lead) => known(momentOf(lead.at)));
  return leadCohorts(leads, deals, input.amountOf, input.timeZone, input.currency);
}
