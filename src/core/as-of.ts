import { instantOfWallClock, startOfDay } from './calendar.js';
import { ClosedloopError } from './errors.js';
import { parseIsoInstant } from './time.js';

const dayMs = 86_400_000;

/** How far past today an as-of date may lie: a forecast's cost grows with the years it spans. */
const aheadLimitMs = 366 * dayMs;

/** Years a date may name: outside them it is a typo (and `Date.UTC` reads 0050 as 1950). */
const firstYear = 1900;
const lastYear = 2999;

/** Whether an instant falls in the years a business date can name: outside them, a typo. */
export function isPlausibleDate(at: number): boolean {
  const year = new Date(at).getUTCFullYear();
  return year >= firstYear && year <= lastYear;
}

const usage = (message: string) => new ClosedloopError('CL_ERR_USAGE', message);

/** A flag's or parameter's text as the user wrote it (a repeated query parameter is an array). */
const shown = (value: unknown) => JSON.stringify(value) ?? String(value);

/**
 * An `--as-of` value as an instant: a date alone means the start of that day in the workspace's
 * zone (everything before it is known), a date and time is that instant.
 */
export function parseAsOf(
  text: unknown,
  timeZone: string,
  flag = '--as-of',
  now = Date.now(),
): number {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  const at = parseIsoInstant(trimmed);
  const year = Number(trimmed.slice(0, 4));
  if (Number.isNaN(at) || year < firstYear || year > lastYear) {
    throw usage(
      `${flag}: expected a date such as 2027-03-01 or an ISO 8601 date-time, got ${shown(text)}`,
    );
  }
  if (at > now + aheadLimitMs) {
    throw usage(`${flag}: expected a date at most a year from today, got ${shown(text)}`);
  }
  // A time with no offset is read as the workspace's clocks read it, as a date is.
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}([.,]\d{1,9})?)?$/.test(trimmed)) {
    return instantOfWallClock(at, timeZone);
  }
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  if (date === null) return at;
  const [, , month, day] = date;
  return startOfDay({ year, month: Number(month), day: Number(day) }, timeZone);
}

/** A calendar day as `YYYY-MM-DD` (period bounds, backtest dates), or a usage error naming it. */
export function checkedDay(name: string, text: unknown): string {
  if (text === undefined) throw usage(`${name}: is required (a date such as 2027-03-01)`);
  const year = typeof text === 'string' ? Number(text.slice(0, 4)) : Number.NaN;
  if (
    typeof text !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}$/.test(text) ||
    Number.isNaN(parseIsoInstant(text)) ||
    year < firstYear ||
    year > lastYear
  ) {
    throw usage(`${name}: expected a date such as 2027-03-01, got ${shown(text)}`);
  }
  return text;
}

/** Two days that bound a span: the first may not come after the last. */
export function checkedSpan(
  from: { readonly name: string; readonly day: string },
  to: { readonly name: string; readonly day: string },
): void {
  if (from.day > to.day) {
    throw usage(
      `${from.name}: expected a date on or before ${to.name} (${to.day}), got "${from.day}"`,
    );
  }
}

/** A day a backtest forecasts from: no more than a year past today (see `aheadLimitMs`). */
export function checkedPastDay(name: string, day: string, now = Date.now()): string {
  if (Date.parse(`${day}T00:00:00Z`) > now + aheadLimitMs) {
    throw usage(`${name}: expected a date at most a year from today, got "${day}"`);
  }
  return day;
}
