import currencyCodes from 'currency-codes';
import { ClosedloopError } from './errors.js';

/** Money at rest: an integer count of the currency's minor units (cents for USD, yen for JPY). */
export interface Money {
  readonly minor: number;
  readonly currency: string;
}

const currencyPattern = /^[A-Z]{3}$/;

export function money(minor: number, currency: string): Money {
  if (!Number.isSafeInteger(minor)) {
    throw new ClosedloopError('CL_ERR_CONFIG', `amount: expected whole minor units, got ${minor}`);
  }
  if (!currencyPattern.test(currency)) {
    throw new ClosedloopError(
      'CL_ERR_CONFIG',
      `currency: expected an ISO 4217 code such as USD, got "${currency}"`,
    );
  }
  return Object.freeze({ minor, currency });
}

const digitsOfCurrency = new Map<string, number>();

/**
 * Digits after the decimal point of a currency's minor unit, as ISO 4217 gives them (JPY 0,
 * USD 2, KWD 3, and IDR, HUF or COP 2, to which Intl, a display standard, gives none). The X codes
 * of metals, SDRs and funds have no minor unit in ISO 4217, and codes it no longer lists (HRK)
 * none at all: those take Intl's digits, which agree with ISO's for the X currencies in use (XAF,
 * XOF, XPF, XCD).
 */
export function minorDigits(currency: string): number {
  let digits = digitsOfCurrency.get(currency);
  if (digits === undefined) {
    const iso = currency.startsWith('X') ? undefined : currencyCodes.code(currency);
    // A formatter costs tens of microseconds to build; reports ask once per deal.
    digits =
      iso?.digits ??
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ??
      2;
    digitsOfCurrency.set(currency, digits);
  }
  return digits;
}

/**
 * A decimal in major units ("1234.5", "-0.125") as whole minor units of a currency with `digits`
 * decimals, rounded half away from zero on the decimal digits themselves (no binary floating
 * point on the way). `rounded` says whether digits were dropped. Undefined for anything else.
 */
export function decimalToMinor(
  decimal: string,
  digits: number,
): { readonly minor: number; readonly rounded: boolean } | undefined {
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(decimal.trim());
  if (match === null) return undefined;
  const [, sign = '', whole = '', fraction = ''] = match;
  if (whole === '' && fraction === '') return undefined;
  const kept = fraction.slice(0, digits).padEnd(digits, '0');
  const dropped = fraction.slice(digits);
  let minor = Number(`${whole || '0'}${kept}`);
  if (dropped !== '' && Number(dropped[0]) >= 5) minor += 1;
  if (!Number.isSafeInteger(minor)) return undefined;
  return { minor: sign === '-' && minor !== 0 ? -minor : minor, rounded: /[1-9]/.test(dropped) };
}

/** The most decimals any ISO 4217 currency has (CLF): an amount that fits them fits every one. */
const widestMinorDigits = 4;

/** The largest amount, in major units, that every currency holds exactly in minor units. */
export const maxExactAmount = Math.floor(Number.MAX_SAFE_INTEGER / 10 ** widestMinorDigits);

/**
 * Whether a text is a plain decimal that any currency holds exactly in minor units: what an
 * amount from outside must be before it is stored (`1e+21`, `1e-7`, a 20-digit number are not).
 */
export function isExactAmount(text: string): boolean {
  return decimalToMinor(text, widestMinorDigits) !== undefined;
}

/** An amount as a CRM should send one: 0 or more, plainly written (not `-5`, `.5`, `1e3`), exact. */
export function isPlainAmount(text: string): boolean {
  return /^\d+(?:\.\d+)?$/.test(text) && isExactAmount(text);
}

/** Whole minor units as the decimal text of major units, exact: (123450, 2) → "1234.50". */
export function minorToDecimal(minor: number, digits: number): string {
  const sign = minor < 0 ? '-' : '';
  const text = Math.abs(minor)
    .toString()
    .padStart(digits + 1, '0');
  return digits === 0
    ? `${sign}${text}`
    : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** Minor units as a plain decimal in major units, exact ("1234.50" → 1234.5 for JSON output). */
export function minorToMajor(minor: number, currency: string): number {
  return minor / 10 ** minorDigits(currency);
}

const groupedWithDigits = new Map<number, Intl.NumberFormat>();

/**
 * Money in major units as people read it: grouped, with exactly the currency's ISO 4217 decimals
 * (`minorDigits`, not Intl's display digits, which give IDR none and would print 1500.50 as
 * 1,501), then the code: "KWD 1,311.353", "JPY 127,000", "IDR 1,500.50". Figures already whole
 * minor units print exactly; others (means of draws) round to the nearest minor unit. With
 * `code: false`, the number alone, for a column whose header or caption names the currency.
 */
export function formatMoney(
  amount: number,
  currency: string,
  options: { readonly code?: boolean } = {},
): string {
  const digits = minorDigits(currency);
  let format = groupedWithDigits.get(digits);
  if (format === undefined) {
    format = new Intl.NumberFormat('en', {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      // -0.0001 rounds to nothing, and nothing has no sign.
      signDisplay: 'negative',
    });
    groupedWithDigits.set(digits, format);
  }
  const text = format.format(amount);
  return options.code === false ? text : `${currency} ${text}`;
}

let knownCurrencies: ReadonlySet<string> | undefined;

/**
 * Whether a code is a currency in use (ISO 4217, upper case). Three capital letters are not
 * enough: `USS` or `XYZ` pass `Intl.NumberFormat` but are no money anyone can convert.
 */
export function isKnownCurrency(code: string): boolean {
  knownCurrencies ??= new Set(Intl.supportedValuesOf('currency'));
  return knownCurrencies.has(code);
}
