/**
 * How long deals take: days from creation to close of won deals, and the Kaplan–Meier time to win
 * (see kaplan-meier.ts). Calendar dates give whole days, instants elapsed days.
 */

import { daysBetween, instantMoment } from '../calendar.js';
import type { Deal } from '../deals.js';
import { kaplanMeierMedian, type Observation } from './kaplan-meier.js';
import { counted } from './notes.js';
import { type Spread, spreadOf } from './spread.js';

export interface TimeToClose {
  readonly timeToClose: Spread;
  readonly timeToWinKM: {
    readonly median: number | null;
    readonly n: number;
    readonly won: number;
  };
  readonly notes: string[];
}

export function timeToClose(
  deals: readonly Deal[],
  asOf: number | null,
  timeZone: string,
): TimeToClose {
  const wonDays: number[] = [];
  const observations: Observation[] = [];
  let wonUndated = 0;
  let othersUndated = 0;
  let backwards = 0;
  for (const deal of deals) {
    const days = daysOpen(deal, asOf, timeZone);
    if (days === null) {
      if (deal.status === 'won') wonUndated++;
      else othersUndated++;
    } else if (days < 0) {
      backwards++;
    } else {
      const won = deal.status === 'won';
      observations.push({ days, won });
      if (won) wonDays.push(days);
    }
  }
  const notes: string[] = [];
  if (wonUndated > 0) {
    notes.push(
      `${counted(wonUndated, 'won deal')} without a creation or close date left out of time to close and time to win`,
    );
  }
  if (othersUndated > 0) {
    notes.push(
      `${counted(othersUndated, 'open or lost deal')} without a creation or close date left out of time to win`,
    );
  }
  if (backwards > 0) {
    notes.push(
      `${counted(backwards, 'deal')} closed before created left out of time to close and time to win`,
    );
  }
  return {
    timeToClose: spreadOf(wonDays),
    timeToWinKM: {
      median: kaplanMeierMedian(observations),
      n: observations.length,
      won: wonDays.length,
    },
    notes,
  };
}

/** Days from creation to close, or for an open deal to the as-of date; null when a date is missing. */
function daysOpen(deal: Deal, asOf: number | null, timeZone: string): number | null {
  if (deal.createdAt === null) return null;
  const end = deal.status === 'open' ? (asOf === null ? null : instantMoment(asOf)) : deal.closedAt;
  return end === null ? null : daysBetween(deal.createdAt, end, timeZone);
}
