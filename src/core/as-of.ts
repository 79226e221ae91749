import { startOfDay } from './calendar.js';
import { ClosedloopError } from './errors.js';
import { parseIsoInstant } from './time.js';

/**
 * An `--as-of` value as an instant: a date alone means the start of that day in the workspace's
 * zone (everything before it is known), a date and time is that instant.
 */
export function parseAsOf(text: string, timeZone: string, flag = '--as-of'): number {
  const trimmed = text.trim();
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  const at = parseIsoInstant(trimmed);
  if (Number.isNaN(at)) {
    throw new ClosedloopError(
      'CL_ERR_USAGE',
      `${flag}: expected a date such as 2027-03-01 or an ISO 8601 date-time, got "${text}"`,
    );
  }
  if (date === null) return at;
  const [, year, month, day] = date;
  return startOfDay({ year: Number(year), month: Number(month), day: Number(day) }, timeZone);
}

/** A calendar day as `YYYY-MM-DD` (period bounds, backtest dates), or a usage error naming it. */
export function checkedDay(name: string, text: string | undefined): string {
  if (text === undefined) {
    throw new ClosedloopError('CL_ERR_USAGE', `${name}: is required (a date such as 2027-03-01)`);
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    throw new ClosedloopError(
      'CL_ERR_USAGE',
      `${name}: expected a date such as 2027-03-01, got "${text}"`,
    );
  }
  return text;
}
