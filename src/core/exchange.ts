import { calendarDateOf, dayMs, utcMidnight } from './calendar.js';
import type { Deal, ExchangeRate, Moment } from './deals.js';
import { minorDigits } from './money.js';

/**
 * The rate for `currency` in force on the day of `at` in the workspace's zone: the latest dated on
 * or before that day, else (for days before the first rate) the earliest; undefined when the
 * currency has no rate at all. A rate's date is a calendar date, in force from that day's start in
 * the zone: a deal won at 08:00 in Tokyo on 1 March takes 1 March's rate, though it is still
 * 28 February in UTC.
 */
export function rateFor(
  rates: readonly ExchangeRate[],
  currency: string,
  at: Moment | null,
  timeZone: string,
): number | undefined {
  // A date without a time is its own day, at hand without a calendar lookup: this runs for every
  // rate on every conversion.
  const dayOf = (moment: Moment) =>
    moment.dateOnly
      ? Math.floor(moment.at / dayMs) * dayMs
      : utcMidnight(calendarDateOf(moment, timeZone));
  const day = at === null ? null : dayOf(at);
  let chosen: { day: number; rate: number } | undefined;
  let earliest: { day: number; rate: number } | undefined;
  for (const rate of rates) {
    if (rate.currency !== currency) continue;
    const rateDay = dayOf(rate.date);
    if (earliest === undefined || rateDay < earliest.day)
      earliest = { day: rateDay, rate: rate.rate };
    if (day !== null && rateDay <= day && (chosen === undefined || rateDay > chosen.day)) {
      chosen = { day: rateDay, rate: rate.rate };
    }
  }
  return (chosen ?? earliest)?.rate;
}

/**
 * A deal's amount in minor units of the workspace currency, converted at the rate in force on the
 * day it closed (or else was created) in the workspace's zone. Null when the amount is unknown or
 * its currency has no rate: such a deal stays out of money totals instead of being mixed in
 * unconverted.
 */
export function amountInCurrency(
  deal: Pick<Deal, 'amountMinor' | 'currency' | 'closedAt' | 'createdAt'>,
  rates: readonly ExchangeRate[],
  currency: string,
  timeZone: string,
): number | null {
  if (deal.amountMinor === null) return null;
  if (deal.currency === null || deal.currency === currency) return deal.amountMinor;
  const rate = rateFor(rates, deal.currency, deal.closedAt ?? deal.createdAt, timeZone);
  if (rate === undefined) return null;
  const scale = 10 ** (minorDigits(currency) - minorDigits(deal.currency));
  return Math.round(deal.amountMinor * rate * scale);
}
