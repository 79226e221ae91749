import type { Deal, ExchangeRate, Moment } from './deals.js';
import { minorDigits } from './money.js';

/**
 * The rate for `currency` in force at `at`: the latest dated on or before it, else (for dates before
 * the first rate) the earliest; undefined when the currency has no rate at all.
 */
export function rateFor(
  rates: readonly ExchangeRate[],
  currency: string,
  at: Moment | null,
): number | undefined {
  let chosen: ExchangeRate | undefined;
  let earliest: ExchangeRate | undefined;
  for (const rate of rates) {
    if (rate.currency !== currency) continue;
    if (earliest === undefined || rate.date.at < earliest.date.at) earliest = rate;
    if (
      at !== null &&
      rate.date.at <= at.at &&
      (chosen === undefined || rate.date.at > chosen.date.at)
    ) {
      chosen = rate;
    }
  }
  return (chosen ?? earliest)?.rate;
}

/**
 * A deal's amount in minor units of the workspace currency, converted at the rate in force when it
 * closed (or else was created). Null when the amount is unknown or its currency has no rate: such a
 * deal stays out of money totals instead of being mixed in unconverted.
 */
export function amountInCurrency(
  deal: Pick<Deal, 'amountMinor' | 'currency' | 'closedAt' | 'createdAt'>,
  rates: readonly ExchangeRate[],
  currency: string,
): number | null {
  if (deal.amountMinor === null) return null;
  if (deal.currency === null || deal.currency === currency) return deal.amountMinor;
  const rate = rateFor(rates, deal.currency, deal.closedAt ?? deal.createdAt);
  if (rate === undefined) return null;
  const scale = 10 ** (minorDigits(currency) - minorDigits(deal.currency));
  return Math.round(deal.amountMinor * rate * scale);
}
