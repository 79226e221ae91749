/**
 * Whole days in the workspace's zone as integers (days since 1970-01-01 of the local calendar), and
 * the grid of coming months in them. Hazards are daily, so every date becomes a day number once.
 */
import {
  type CalendarMonth,
  addMonths,
  calendarDateOf,
  dayMs,
  instantMoment,
  utcMidnight,
} from '../calendar.js';
import type { Moment } from '../deals.js';

/** The local calendar day of a moment, as a day number. */
export function dayNumber(moment: Moment, timeZone: string): number {
  return utcMidnight(calendarDateOf(moment, timeZone)) / dayMs;
}

/** The day on which `asOf` falls: the first day the forecast covers. */
export function asOfDayNumber(asOf: number, timeZone: string): number {
  return dayNumber(instantMoment(asOf), timeZone);
}

export function monthOfDay(day: number): CalendarMonth {
  const date = new Date(day * dayMs);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1 };
}

export function firstDayOf(month: CalendarMonth): number {
  return Date.UTC(month.year, month.month - 1, 1) / dayMs;
}

/** 0, 1 or 2: the day's month is the first, second or third of its quarter. */
export function quarterPosition(day: number): number {
  return (new Date(day * dayMs).getUTCMonth() % 3) as 0 | 1 | 2;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

export function monthKeyOf(month: CalendarMonth): string {
  return `${month.year}-${pad2(month.month)}`;
}

export function quarterKeyOf(month: CalendarMonth): string {
  return `${month.year}-Q${Math.ceil(month.month / 3)}`;
}

/** One coming month: its days are [firstDay, endDay); the first month starts at the as-of day. */
export interface HorizonMonth {
  /** 1 for the month that contains the as-of date. */
  readonly horizon: number;
  readonly key: string;
  readonly quarter: string;
  readonly year: string;
  readonly firstDay: number;
  readonly endDay: number;
  /** Whether the whole calendar month is covered (false for a first month begun before as-of). */
  readonly whole: boolean;
}

export function horizonMonths(asOfDay: number, horizon: number): HorizonMonth[] {
  const first = monthOfDay(asOfDay);
  return Array.from({ length: horizon }, (_, i) => {
    const month = addMonths(first, i);
    const start = firstDayOf(month);
    return {
      horizon: i + 1,
      key: monthKeyOf(month),
      quarter: quarterKeyOf(month),
      year: String(month.year),
      firstDay: Math.max(start, asOfDay),
      endDay: firstDayOf(addMonths(month, 1)),
      whole: start >= asOfDay,
    };
  });
}

/** For each day from `firstDay` to the horizon's end, the index of its month (a lookup table). */
export function monthIndexByDay(months: readonly HorizonMonth[]): Int32Array {
  const firstDay = months[0]?.firstDay ?? 0;
  const endDay = months.at(-1)?.endDay ?? firstDay;
  const index = new Int32Array(endDay - firstDay);
  for (const [m, month] of months.entries()) index.fill(m, month.firstDay - firstDay, month.endDay - firstDay);
  return index;
}
