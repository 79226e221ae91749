import { type CalendarDate, calendarDateOf, dayMs, startOfDay, utcMidnight } from './calendar.js';
import type { ExchangeRate, Moment } from './deals.js';
import { ClosedloopError } from './errors.js';

/** A currency's rate from `day` on: the first rate of its day in the zone, as rateFor reads it. */
interface RateStep {
  readonly day: number;
  readonly date: Moment;
  readonly rate: number;
}

/**
 * The rates in units of `to` instead of `from`, the workspace currency until now; undefined when
 * there are none to re-base. Each currency gets a rate on every day its own or `to`'s changes, its
 * rate over `to`'s in force that day, so each conversion is the old one divided by `to`'s old
 * rate, up to rounding to minor units; `from` gets 1 over `to`'s on each day `to`'s changes.
 * Refused when there are rates but none for `to`: nothing to divide by.
 */
export function rebasedRates(
  rates: readonly ExchangeRate[],
  from: string,
  to: string,
  timeZone: string,
): ExchangeRate[] | undefined {
  if (rates.length === 0) return undefined;
  const steps = rateSteps(rates, timeZone);
  // A rate for the workspace currency itself is never read, and would be wrong once it is not:
  // it goes, and re-bases nothing.
  steps.delete(from);
  if (steps.size === 0) return [];
  const target = steps.get(to);
  if (target === undefined) {
    const others = [...steps.keys()];
    const named = others.length > 3 ? `${others.slice(0, 3).join(', ')}, …` : others.join(', ');
    throw new ClosedloopError(
      'CL_ERR_CONFIG',
      `currency: expected a currency with an exchange rate, got ${to}: the rates of ${named} are in ${from} and are re-based on ${to}'s; import a rate for ${to} (${from} per ${to}) first`,
    );
  }
  const rebased: ExchangeRate[] = target.map((step) => ({
    currency: from,
    date: step.date,
    rate: 1 / step.rate,
  }));
  for (const [currency, own] of steps) {
    if (currency === to) continue;
    for (const rate of dividedSteps(currency, own, target, timeZone)) rebased.push(rate);
  }
  return rebased;
}

/**
 * `own` over `by` on each day either changes, both sorted by day: a walk through both at once, as
 * a workspace may hold years of daily rates for many currencies.
 */
function dividedSteps(
  currency: string,
  own: readonly RateStep[],
  by: readonly RateStep[],
  timeZone: string,
): ExchangeRate[] {
  const divided: ExchangeRate[] = [];
  const ownTimes = new Set(own.map((step) => step.date.at));
  // Before its first day a currency's earliest rate is in force, as rateFor reads it.
  let i = 0;
  let j = 0;
  let ownRate = (own[0] as RateStep).rate;
  let byRate = (by[0] as RateStep).rate;
  while (i < own.length || j < by.length) {
    const day = Math.min(
      own[i]?.day ?? Number.POSITIVE_INFINITY,
      by[j]?.day ?? Number.POSITIVE_INFINITY,
    );
    const byStep = by[j]?.day === day ? by[j] : undefined;
    const ownStep = own[i]?.day === day ? own[i] : undefined;
    if (byStep !== undefined) {
      byRate = byStep.rate;
      j++;
    }
    if (ownStep !== undefined) {
      ownRate = ownStep.rate;
      i++;
    }
    // The currency's own moment where it changes: the one rateFor would read. Where only `by`
    // changes, its moment, so that both change together in any zone; but a date and a time can
    // share an instant on different days, and (currency, instant) is the key: then the day's
    // start in the zone, which is no other rate's instant.
    let date: Moment;
    if (ownStep !== undefined) date = ownStep.date;
    else if (byStep !== undefined && !ownTimes.has(byStep.date.at)) date = byStep.date;
    else date = { at: startOfDay(dateOfDay(day), timeZone), dateOnly: false };
    divided.push({ currency, date, rate: ownRate / byRate });
  }
  return divided;
}

/** The calendar date of a day number (its midnight UTC). */
function dateOfDay(day: number): CalendarDate {
  const date = new Date(day);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** Each currency's rates by day in `timeZone`, in force from that day; the first of a day wins. */
function rateSteps(rates: readonly ExchangeRate[], timeZone: string): Map<string, RateStep[]> {
  const byCurrency = new Map<string, Map<number, RateStep>>();
  // Sorted by time so that, as in rateFor, the earlier of two rates on one day is kept.
  for (const rate of [...rates].sort((a, b) => a.date.at - b.date.at)) {
    // As rateFor finds a rate's day: a date alone is its own day, a time is a day in the zone.
    const day = rate.date.dateOnly
      ? Math.floor(rate.date.at / dayMs) * dayMs
      : utcMidnight(calendarDateOf(rate.date, timeZone));
    const days = byCurrency.get(rate.currency) ?? new Map<number, RateStep>();
    byCurrency.set(rate.currency, days);
    if (!days.has(day)) days.set(day, { day, date: rate.date, rate: rate.rate });
  }
  return new Map(
    [...byCurrency].map(([currency, days]) => [
      currency,
      [...days.values()].sort((a, b) => a.day - b.day),
    ]),
  );
}
