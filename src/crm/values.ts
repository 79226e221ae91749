/**
 * Cell parsers shared by the CRM export formats. Each takes the cell's text and the column it came
 * from, and gives the value, nothing (an empty cell), or a RowError that names the column and says
 * what was expected.
 */
import { isPlausibleDate } from '../core/as-of.js';
import { instantOfWallClock } from '../core/calendar.js';
import type { Moment } from '../core/deals.js';
import { looksLikeEmail } from '../core/emails.js';
import { isExactAmount, isKnownCurrency } from '../core/money.js';
import { parseIsoInstant } from '../core/time.js';
import type { RowError } from './formats/format.js';

/** A cell read: `value` when it held one, `error` when it held something else, neither when empty. */
export type Cell<T> =
  | { readonly value?: T; readonly error?: undefined }
  | { readonly value?: undefined; readonly error: RowError };

const empty: Cell<never> = Object.freeze({});

function unexpected(field: string, expected: string, text: string): Cell<never> {
  return { error: { field, message: `expected ${expected}, got ${quote(text)}` } };
}

/** A cell's text as error messages quote it: JSON-escaped, so a line break keeps errors one line. */
export function quote(text: string): string {
  return JSON.stringify(text);
}

/** Trimmed text, or undefined for a missing or blank cell. */
export function cleanText(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** How a slash date is ordered: 03/04/2027 is 4 March (month first, US) or 3 April (day first). */
export type SlashDateOrder = 'month-first' | 'day-first';

/**
 * How a date cell is read: slash dates in the order given; `unstated`, slash dates in no stated
 * order, so one whose day and month could swap (03/04/2027) is refused, not guessed; `iso`, ISO
 * 8601 only; `iso-zoned`, ISO 8601 only, a time with `Z` or an offset.
 */
export type DateReading = SlashDateOrder | 'unstated' | 'iso' | 'iso-zoned';

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const slashDate =
  /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?$/i;

const endsWithZone = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

const isoExpected = 'an ISO 8601 date such as 2027-03-01';

/**
 * A date or a date and time: ISO 8601 or, as `reading` allows, a slash date as exports write it.
 * A date alone is a calendar date. A time without an offset is local time in `timeZone` when one
 * is given (HubSpot and Pipedrive export times as their users' clocks read them), else UTC (as
 * Salesforce's Data Export writes it).
 */
export function parseMoment(
  text: string | undefined,
  field: string,
  reading: DateReading = 'month-first',
  timeZone?: string,
): Cell<Moment> {
  const cell = cleanText(text);
  if (cell === undefined) return empty;
  const at = parseIsoInstant(cell);
  const dateOnly = isoDate.test(cell);
  if (reading === 'iso-zoned' && (Number.isNaN(at) || (!dateOnly && !endsWithZone.test(cell)))) {
    // A time without its zone would be a guess at the sender's clock.
    return unexpected(
      field,
      `${isoExpected}, or a date and time with Z or an offset such as 2027-03-01T09:30:00Z`,
      cell,
    );
  }
  let moment: Moment | undefined;
  if (!Number.isNaN(at)) moment = { at, dateOnly };
  else if (reading === 'month-first' || reading === 'day-first') {
    moment = parseSlashDate(cell, reading);
  } else if (reading === 'unstated') {
    const monthFirst = parseSlashDate(cell, 'month-first');
    const dayFirst = parseSlashDate(cell, 'day-first');
    // 03/04/2027 is 4 March in the US and 3 April nearly everywhere else: no reading to guess.
    if (monthFirst !== undefined && dayFirst !== undefined && monthFirst.at !== dayFirst.at) {
      return {
        error: {
          field,
          message: `expected a date whose day and month cannot be swapped, got ${quote(cell)}; write it in ISO 8601 such as 2027-03-01, or with --map give the order as "dates": "DD/MM/YYYY" or "MM/DD/YYYY"`,
        },
      };
    }
    moment = monthFirst ?? dayFirst;
  }
  // Slash dates are a courtesy to spreadsheet exports; ISO 8601 is what we ask for.
  if (moment === undefined) return unexpected(field, isoExpected, cell);
  // Year 9999 would become every report's default as-of date.
  if (!isPlausibleDate(moment.at)) return unexpected(field, 'a date from 1900 to 2999', cell);
  const local = timeZone !== undefined && !moment.dateOnly && !endsWithZone.test(cell);
  return {
    value: local ? { at: instantOfWallClock(moment.at, timeZone), dateOnly: false } : moment,
  };
}

function parseSlashDate(text: string, order: SlashDateOrder): Moment | undefined {
  const match = slashDate.exec(text);
  if (match === null) return undefined;
  const [, first, second, year, hour, minute = '0', secondOfMinute = '0', meridiem] = match;
  const [month, day] =
    order === 'month-first' ? [Number(first), Number(second)] : [Number(second), Number(first)];
  let h = hour === undefined ? 0 : Number(hour);
  if (meridiem !== undefined) {
    if (h < 1 || h > 12) return undefined;
    h = (h % 12) + (meridiem.toUpperCase() === 'PM' ? 12 : 0);
  }
  const mi = Number(minute);
  const s = Number(secondOfMinute);
  if (month < 1 || month > 12 || day < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const at = Date.UTC(Number(year), month - 1, day, h, mi, s);
  // Date.UTC rolls 02/30 over to March: a day the month lacks is no date.
  if (new Date(at).getUTCDate() !== day) return undefined;
  return { at, dateOnly: hour === undefined };
}

const dayMs = 86_400_000;

/** The calendar date of a moment, for fields that are dates even when exports add 00:00:00. */
export function calendarDate(moment: Moment): Moment {
  return { at: Math.floor(moment.at / dayMs) * dayMs, dateOnly: true };
}

// A sign, an optional currency symbol, digits (commas only between groups of three), a fraction.
const decimalPattern = /^([+-])?\s*[$€£¥]?\s*(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$/;

/**
 * A decimal as clean text ("$1,234.50" → "1234.50", " 012 " → "12"), never through floating
 * point, so no digit the export wrote is lost before the importer rounds to minor units.
 */
export function parseDecimal(text: string | undefined, field: string): Cell<string> {
  const cell = cleanText(text);
  if (cell === undefined) return empty;
  const match = decimalPattern.exec(cell);
  const whole = match?.[2]?.replaceAll(',', '') ?? '';
  const fraction = match?.[3] ?? '';
  if (match === null || (whole === '' && fraction === '')) {
    return unexpected(field, 'a number such as 1234.50', cell);
  }
  const integer = whole.replace(/^0+(?=\d)/, '') || '0';
  const digits = fraction === '' ? integer : `${integer}.${fraction}`;
  const isZero = /^[0.]*$/.test(digits);
  return { value: match[1] === '-' && !isZero ? `-${digits}` : digits };
}

/** A whole number ≥ 0 ("12"); for counts such as term months. */
export function parseWholeNumber(text: string | undefined, field: string): Cell<number> {
  const cell = cleanText(text);
  if (cell === undefined) return empty;
  if (!/^\d{1,9}$/.test(cell)) return unexpected(field, 'a whole number such as 12', cell);
  return { value: Number(cell) };
}

/** Email addresses separated by `;` or `,`, trimmed and lower-cased. */
export function parseEmails(text: string | undefined, field: string): Cell<readonly string[]> {
  const cell = cleanText(text);
  if (cell === undefined) return empty;
  const emails = cell
    .split(/[;,]/)
    .map((part) => part.trim().toLowerCase())
    .filter((part) => part !== '');
  const bad = emails.find((email) => !looksLikeEmail(email));
  if (bad !== undefined) {
    return unexpected(field, 'email addresses separated by ";"', bad);
  }
  return emails.length === 0 ? empty : { value: emails };
}

/** Every email address written anywhere in a text ("Ana Ruiz (ana@acme.example)"), lower-cased. */
export function findEmails(text: string): string[] {
  return Array.from(text.matchAll(/[^\s@;,<>()"']+@[^\s@;,<>()"']+\.[^\s@;,<>()"']+/g), (match) =>
    match[0].toLowerCase(),
  );
}

/**
 * An ISO 4217 code, upper-cased ("eur" → "EUR"). Three letters are not enough: a typo such as EUD
 * would be stored with a guessed number of decimals, as the deals API refuses it.
 */
export function parseCurrency(text: string | undefined, field: string): Cell<string> {
  const cell = cleanText(text);
  if (cell === undefined) return empty;
  // Letters checked before upper-casing: "ınr" would become INR.
  if (!/^[A-Za-z]{3}$/.test(cell) || !isKnownCurrency(cell.toUpperCase())) {
    return unexpected(field, 'an ISO 4217 code such as EUR', cell);
  }
  return { value: cell.toUpperCase() };
}

// Currencies whose sign is "$" (dollars and pesos).
const dollarCurrencies: ReadonlySet<string> = new Set(
  [
    'USD CAD AUD NZD SGD HKD TWD XCD',
    'MXN ARS CLP COP CUP DOP UYU',
    'BSD BBD BZD BMD BND KYD FJD GYD JMD LRD NAD SBD SRD TTD',
  ].flatMap((line) => line.split(' ')),
);

interface CurrencySign {
  /** The currencies written with the sign. */
  readonly accepts: ReadonlySet<string>;
  /** The currency a blank currency cell is taken to be. */
  readonly implied?: string;
  /** The sign alone cannot tell which of `accepts` it is: a blank currency cell is refused. */
  readonly ambiguous?: boolean;
}

// "$" implies nothing: a blank currency stays the workspace's, when that is a dollar.
const currencySigns: Readonly<Record<string, CurrencySign>> = {
  '€': { accepts: new Set(['EUR']), implied: 'EUR' },
  // The pounds pegged to sterling write £ too.
  '£': { accepts: new Set(['GBP', 'GIP', 'FKP', 'SHP']), implied: 'GBP' },
  '¥': { accepts: new Set(['JPY', 'CNY']), ambiguous: true },
  $: { accepts: dollarCurrencies },
};

/**
 * An amount and its currency, read together: the amount's sign ("€1,200") supplies a blank
 * currency it names unambiguously, and a sign the currency contradicts ("£500" in USD) or cannot
 * settle ("¥1000" with no currency) refuses the row, since either reading could be wrong.
 */
export function parseMoney(
  amountText: string | undefined,
  amountField: string,
  currencyText: string | undefined,
  currencyField: string,
  blankCurrency?: string,
): Cell<{ readonly amount?: string; readonly currency?: string }> {
  const amount = parseDecimal(amountText, amountField);
  if (amount.error !== undefined) return amount;
  // Refused here, with the row: left to the merge, it would be dropped with only a note.
  if (amount.value !== undefined && !isExactAmount(amount.value)) {
    return unexpected(
      amountField,
      'an amount of at most 900,719,925,474',
      cleanText(amountText) ?? '',
    );
  }
  const currency = parseCurrency(currencyText, currencyField);
  if (currency.error !== undefined) return currency;
  const cell = cleanText(amountText) ?? '';
  const sign = currencySigns[/^[+-]?\s*([$€£¥])/.exec(cell)?.[1] ?? ''];
  if (sign === undefined) return { value: { amount: amount.value, currency: currency.value } };
  if (currency.value === undefined) {
    // "$500" with a blank currency in a yen workspace would be stored as ¥500.
    if (
      sign.implied === undefined &&
      blankCurrency !== undefined &&
      !sign.accepts.has(blankCurrency)
    ) {
      return {
        error: {
          field: currencyField,
          message: `expected the currency of the amount ${quote(cell)} (a blank one means ${blankCurrency}), got an empty field`,
        },
      };
    }
    if (sign.ambiguous !== true) return { value: { amount: amount.value, currency: sign.implied } };
    const choices = [...sign.accepts].join(' or ');
    return {
      error: {
        field: currencyField,
        message: `expected ${choices} for the amount ${quote(cell)}, got an empty field`,
      },
    };
  }
  if (!sign.accepts.has(currency.value)) {
    return unexpected(amountField, `an amount in ${currency.value}`, cell);
  }
  return { value: { amount: amount.value, currency: currency.value } };
}

const truths = new Set(['1', 'true', 'yes', 'y']);
const falsehoods = new Set(['0', 'false', 'no', 'n']);

/** A flag as exports write it: 1/0, true/false, yes/no. */
export function parseFlag(text: string | undefined, field: string): Cell<boolean> {
  const cell = cleanText(text);
  if (cell === undefined) return empty;
  const lower = cell.toLowerCase();
  if (truths.has(lower)) return { value: true };
  if (falsehoods.has(lower)) return { value: false };
  return unexpected(field, 'true or false (or 1 or 0)', cell);
}

/** One of a few words, in any case ("Won" → "won"). */
export function parseChoice<const T extends string>(
  text: string | undefined,
  field: string,
  choices: readonly T[],
): Cell<T> {
  const cell = cleanText(text);
  if (cell === undefined) return empty;
  const lower = cell.toLowerCase();
  const choice = choices.find((candidate) => candidate === lower);
  if (choice !== undefined) return { value: choice };
  const listed = `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
  return unexpected(field, listed, cell);
}

/** A company's domain from what a CRM holds: "https://www.Acme.example/about" → "acme.example". */
export function parseDomain(text: string | undefined): string | undefined {
  const cell = cleanText(text)?.toLowerCase();
  if (cell === undefined) return undefined;
  const host = cell.replace(/^[a-z]+:\/\//, '').replace(/[/?#:].*$/, '');
  return cleanText(host.replace(/^www\./, ''));
}
