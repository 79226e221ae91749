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

/** Digits after the decimal point, from ISO 4217 via Intl (JPY 0, USD 2, KWD 3). */
export function minorDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}
