/**
 * Calendar arithmetic in a workspace's time zone: which day, month, quarter or year a moment falls
 * in, when a day or month starts, and how many days lie between two moments. Zones are IANA names
 * resolved by Intl; a date-only moment is a calendar date and keeps its own day in every zone.
 */
import type { Moment } from './deals.js';
import { ClosedloopError } from './errors.js';

export const dayMs = 86_400_000;

export interface CalendarDate {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  /** 1..31 */
  readonly day: number;
}

export interface CalendarMonth {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
}

export type CalendarPeriod = 'day' | 'month' | 'quarter' | 'year';

/** An instant as a moment (for comparing instants with the CRM's moments). */
export function instantMoment(at: number): Moment {
  return { at, dateOnly: false };
}

/** Creating a DateTimeFormat costs far more than using one: one per zone, kept for good. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new ClosedloopError(
        'CL_ERR_CONFIG',
        `time zone: expected an IANA name such as Europe/Paris, got "${timeZone}"`,
      );
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock reading of an instant in a zone, written as if it were a UTC instant. */
function wallClock(at: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const { year, month, day, hour, minute, second } = parts;
  return Date.UTC(year, month - 1, day, hour, minute, second, at - Math.floor(at / 1000) * 1000);
}

/** Throws a config error when the zone is not one Intl knows. */
export function checkTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

function utcDate(at: number): CalendarDate {
  const date = new Date(at);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** The calendar date of a moment in a zone; a date-only moment is its own date everywhere. */
export function calendarDateOf(moment: Moment, timeZone: string): CalendarDate {
  return utcDate(moment.dateOnly ? moment.at : wallClock(moment.at, timeZone));
}

/** Midnight UTC of a calendar date: a day number times dayMs, handy for day differences. */
export function utcMidnight(date: CalendarDate): number {
  return Date.UTC(date.year, date.month - 1, date.day);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const yearText = (year: number): string => String(year).padStart(4, '0');

export function dayKey(moment: Moment, timeZone: string): string {
  const { year, month, day } = calendarDateOf(moment, timeZone);
  return `${yearText(year)}-${pad2(month)}-${pad2(day)}`;
}

/** "2027-03" */
export function monthKey(moment: Moment, timeZone: string): string {
  const { year, month } = calendarDateOf(moment, timeZone);
  return `${yearText(year)}-${pad2(month)}`;
}

/** "2027-Q1" */
export function quarterKey(moment: Moment, timeZone: string): string {
  const { year, month } = calendarDateOf(moment, timeZone);
  return `${yearText(year)}-Q${Math.ceil(month / 3)}`;
}

/** "2027" */
export function yearKey(moment: Moment, timeZone: string): string {
  return yearText(calendarDateOf(moment, timeZone).year);
}

export function periodKey(moment: Moment, period: CalendarPeriod, timeZone: string): string {
  switch (period) {
    case 'day':
      return dayKey(moment, timeZone);
    case 'month':
      return monthKey(moment, timeZone);
    case 'quarter':
      return quarterKey(moment, timeZone);
    case 'year':
      return yearKey(moment, timeZone);
  }
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return utcDate(utcMidnight(date) + days * dayMs);
}

/** The month `months` later (or earlier, when negative). */
export function addMonths(month: CalendarMonth, months: number): CalendarMonth {
  const index = month.year * 12 + (month.month - 1) + months;
  return { year: Math.floor(index / 12), month: (((index % 12) + 12) % 12) + 1 };
}

/**
 * The first instant of a calendar date in a zone. Usually local midnight; when a clock change
 * skips midnight (America/Santiago in September) the day starts at the change, and when midnight
 * happens twice the first one counts.
 */
export function startOfDay(date: CalendarDate, timeZone: string): number {
  const midnight = utcMidnight(date);
  // Offsets a day either side bracket any change near midnight.
  const candidates = [midnight - dayMs, midnight + dayMs]
    .map((probe) => midnight - (wallClock(probe, timeZone) - probe))
    .filter((at) => wallClock(at, timeZone) === midnight);
  if (candidates.length > 0) return Math.min(...candidates);
  return firstInstantOnOrAfter(midnight, timeZone);
}

/**
 * The instant at which a zone's wall clock reads `wall` (a reading written as if it were a UTC
 * instant): how a local time an export wrote without an offset becomes an instant. A reading that
 * happens twice (clocks going back) is the first; one that never happens (clocks jumping forward
 * over it) is read with the offset before the jump, as RFC 5545 does: 02:30 becomes 03:30.
 */
export function instantOfWallClock(wall: number, timeZone: string): number {
  // Offsets a day either side bracket any clock change near the reading.
  const [before, after] = [wall - dayMs, wall + dayMs].map(
    (probe) => wall - (wallClock(probe, timeZone) - probe),
  ) as [number, number];
  const readings = [before, after].filter((at) => wallClock(at, timeZone) === wall);
  return readings.length > 0 ? Math.min(...readings) : before;
}

/** Midnight fell in a clock change's gap: search the minute the wall clock first reaches it. */
function firstInstantOnOrAfter(wallMidnight: number, timeZone: string): number {
  const minuteMs = 60_000;
  let low = wallMidnight - 15 * 3_600_000; // wall clock still before midnight (offsets ≤ +14 h)
  let high = wallMidnight + 13 * 3_600_000; // wall clock already past it (offsets ≥ −12 h)
  while (high - low > minuteMs) {
    const middle = low + Math.floor((high - low) / 2 / minuteMs) * minuteMs;
    if (wallClock(middle, timeZone) >= wallMidnight) high = middle;
    else low = middle;
  }
  return high;
}

export function startOfMonth(month: CalendarMonth, timeZone: string): number {
  return startOfDay({ ...month, day: 1 }, timeZone);
}

/**
 * Days from one moment to the next. Two instants: elapsed time in days (fractional). When either
 * is a calendar date, the whole-day difference between their calendar dates in the zone.
 */
export function daysBetween(from: Moment, to: Moment, timeZone: string): number {
  if (!from.dateOnly && !to.dateOnly) return (to.at - from.at) / dayMs;
  const fromDay = utcMidnight(calendarDateOf(from, timeZone));
  const toDay = utcMidnight(calendarDateOf(to, timeZone));
  return Math.round((toDay - fromDay) / dayMs);
}
