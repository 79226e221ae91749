/**
 * Whole days in the workspace's zone as integers (days since 1970-01-01 of the local calendar), and
 * the grid of coming months in them. Hazards are daily, so every date becomes a day number once.
 */
import {
  addMonths,
  type CalendarMonth,
  calendarDateOf,
  dayMs,
  instantMoment,
  utcMidnight,
} from '../calendar.js';
import type { Moment } from '../deals.js';

const quarterHourMs = 900_000;
/** Per zone: day numbers by quarter hour (every zone's midnight falls on a quarter hour). */
const dayCache = new Map<string, Map<number, number>>();

/** The local calendar day of a moment, as a day number. */
export function dayNumber(moment: Moment, timeZone: string): number {
  if (moment.dateOnly || timeZone === 'UTC') return Math.floor(moment.at / dayMs);
  // Reading a zone's wall clock is slow (Intl): one reading per quarter hour, kept.
  let days = dayCache.get(timeZone);
  if (days === undefined) {
    days = new Map();
    dayCache.set(timeZone, days);
  }
  const bucket = Math.floor(moment.at / quarterHourMs);
  let day = days.get(bucket);
  if (day === undefined) {
    day =
      utcMidnight(calendarDateOf({ at: bucket * quarterHourMs, dateOnly: false }, timeZone)) /
      dayMs;
    if (days.size > 1_000_000) days.clear();
    days.set(bucket, day);
  }
  return day;
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

/** Per day of the horizon: the index of its month and its position in the quarter (lookups). */
export interface DayGrid {
  readonly firstDay: number;
  readonly endDay: number;
  readonly month: Int32Array;
  readonly position: Uint8Array;
}

export function dayGrid(months: readonly HorizonMonth[]): DayGrid {
  const firstDay = months[0]?.firstDay ?? 0;
  const endDay = months.at(-1)?.endDay ?? firstDay;
  const month = new Int32Array(endDay - firstDay);
  const position = new Uint8Array(endDay - firstDay);
  for (const [m, { firstDay: from, endDay: to }] of months.entries()) {
    month.fill(m, from - firstDay, to - firstDay);
    position.fill(quarterPosition(from), from - firstDay, to - firstDay);
  }
  return { firstDay, endDay, month, position };
}
