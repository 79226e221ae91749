/** What was actually won, by day: the base of actuals (backtest) and of "won to date" in a period. */
import type { Deal } from '../deals.js';
import { dayNumber } from './days.js';
import { bookingOf } from './deal-values.js';

export interface WonDeal {
  readonly day: number;
  /** Booking in minor units; null when the amount is unknown. */
  readonly revenue: number | null;
}

export function wonDeals(
  deals: readonly Deal[],
  amountOf: (deal: Deal) => number | null,
  timeZone: string,
): WonDeal[] {
  const won: WonDeal[] = [];
  for (const deal of deals) {
    if (deal.status !== 'won' || deal.closedAt === null) continue;
    const amount = amountOf(deal);
    won.push({
      day: dayNumber(deal.closedAt, timeZone),
      revenue: amount === null ? null : bookingOf(deal, amount),
    });
  }
  return won;
}

export interface WonTotals {
  readonly revenue: number;
  readonly count: number;
}

/** Won in the days [fromDay, toDay). */
export function wonBetween(won: readonly WonDeal[], fromDay: number, toDay: number): WonTotals {
  let revenue = 0;
  let count = 0;
  for (const deal of won) {
    if (deal.day < fromDay || deal.day >= toDay) continue;
    count++;
    revenue += deal.revenue ?? 0;
  }
  return { revenue, count };
}
