/**
 * ISO 8601 instants as exports write them: a date alone (midnight UTC), or a date and time with
 * `Z`, an offset, or no zone at all (read as UTC, never as the machine's local time).
 */
const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** What `Date.toISOString` writes: the common case, which `Date.parse` reads exactly and fast. */
const canonicalUtc =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** UTC milliseconds of an ISO 8601 text, or NaN when it is not one or names no real moment. */
export function parseIsoInstant(text: string): number {
  if (canonicalUtc.test(text)) {
    const at = Date.parse(text);
    // Date.parse rolls 2023-02-30 over to March, as Date.UTC does: check the day survived.
    if (new Date(at).getUTCDate() === Number(text.slice(8, 10))) return at;
    return Number.NaN;
  }
  const match = isoPattern.exec(text.trim());
  if (match === null) return Number.NaN;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone] = match;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return Number.NaN;
  // Truncated, not rounded: 23:59:59.9996 is still that day, not the next one's midnight.
  const ms = fraction === '' ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  let at = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59), ms);
  // Date.UTC reads years 0–99 as 1900–1999: 0027-03-01 is year 27, not 1927.
  if (y < 100) at = new Date(at).setUTCFullYear(y, mo - 1, d);
  // Date.UTC rolls 2023-02-30 over to March: a date that does not exist is no instant.
  if (new Date(at).getUTCDate() !== d) return Number.NaN;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2) || '0');
    // No zone is more than 14 hours from UTC: +99:99 is a typo, not a place.
    if (hours > 14 || minutes > 59 || hours * 60 + minutes > 14 * 60) return Number.NaN;
    at -= sign * (hours * 60 + minutes) * 60_000;
  }
  return at;
}

/** Epoch seconds below 1e11 (until the year 5138), epoch milliseconds above. */
const secondsLimit = 1e11;

/** Epoch seconds or milliseconds, told apart by size, as whole milliseconds. */
export function epochMs(epoch: number): number {
  return Math.abs(epoch) < secondsLimit ? Math.round(epoch * 1000) : Math.round(epoch);
}

/** An instant given as ISO 8601 or as epoch seconds or milliseconds (told apart by size). */
export function parseInstant(text: string): number {
  const trimmed = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return epochMs(Number(trimmed));
  return parseIsoInstant(trimmed);
}
