import { describe, expect, it } from 'vitest';
import { decimalToMinor, formatMoney, minorDigits, minorToDecimal, money } from './money.js';

describe('money', () => {
  it('holds whole minor units and an ISO currency', () => {
    expect(money(12_345, 'EUR')).toEqual({ minor: 12_345, currency: 'EUR' });
    expect(Object.isFrozen(money(1, 'USD'))).toBe(true);
  });
  it('refuses fractions of a minor unit and codes that are not ISO 4217 shaped', () => {
    expect(() => money(1.5, 'USD')).toThrowError(/amount: expected whole minor units, got 1.5/);
    expect(() => money(1, 'usd')).toThrowError(/currency: expected an ISO 4217 code/);
  });
  it('knows how many decimals a currency has', () => {
    expect(minorDigits('USD')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('KWD')).toBe(3);
    // ISO 4217's minor units, not Intl's display digits (which give these none).
    expect(['IDR', 'HUF', 'COP', 'PKR', 'IQD'].map(minorDigits)).toEqual([2, 2, 2, 2, 3]);
    expect(['CLP', 'KRW', 'UGX', 'XAF', 'XOF'].map(minorDigits)).toEqual([0, 0, 0, 0, 0]);
    // No minor unit in ISO 4217 (gold, SDRs) or no longer listed (HRK): Intl's digits.
    expect(['XAU', 'XDR', 'HRK'].map(minorDigits)).toEqual([2, 2, 2]);
  });
});

describe('decimalToMinor', () => {
  it('turns major-unit decimals into whole minor units, rounding half away from zero', () => {
    expect(decimalToMinor('1234.5', 2)).toEqual({ minor: 123_450, rounded: false });
    expect(decimalToMinor('0.125', 2)).toEqual({ minor: 13, rounded: true });
    expect(decimalToMinor('-0.125', 2)).toEqual({ minor: -13, rounded: true });
    expect(decimalToMinor('2.675', 2)).toEqual({ minor: 268, rounded: true });
    expect(decimalToMinor('12.3400', 2)).toEqual({ minor: 1234, rounded: false });
    expect(decimalToMinor('1500', 0)).toEqual({ minor: 1500, rounded: false });
    expect(decimalToMinor('99.5', 0)).toEqual({ minor: 100, rounded: true });
    expect(decimalToMinor('.5', 3)).toEqual({ minor: 500, rounded: false });
  });

  it('refuses what is not a plain decimal', () => {
    for (const text of ['', '.', 'abc', '1,234.50', '1e5', '1.2.3', '--1']) {
      expect(decimalToMinor(text, 2), text).toBeUndefined();
    }
  });

  it('writes minor units back as the exact decimal they came from', () => {
    expect(minorToDecimal(123_450, 2)).toBe('1234.50');
    expect(minorToDecimal(-5, 2)).toBe('-0.05');
    expect(minorToDecimal(7, 3)).toBe('0.007');
    expect(minorToDecimal(1000, 0)).toBe('1000');
    expect(minorToDecimal(Number.MAX_SAFE_INTEGER, 2)).toBe('90071992547409.91');
    for (const minor of [0, 1, 99, 100, 123_456_789]) {
      expect(decimalToMinor(minorToDecimal(minor, 3), 3)).toEqual({ minor, rounded: false });
    }
  });
});

describe('formatMoney', () => {
  it("prints exactly the currency's ISO 4217 decimals, and its code", () => {
    expect(formatMoney(1311.353, 'KWD')).toBe('KWD 1,311.353');
    expect(formatMoney(1250.505, 'KWD')).toBe('KWD 1,250.505');
    expect(formatMoney(1250, 'KWD')).toBe('KWD 1,250.000');
    expect(formatMoney(127_000, 'JPY')).toBe('JPY 127,000');
    expect(formatMoney(300_000, 'USD')).toBe('USD 300,000.00');
    expect(formatMoney(0.3, 'USD')).toBe('USD 0.30');
    // Intl shows IDR without decimals; ISO 4217 gives it two, and 1500.50 is not 1,501.
    expect(formatMoney(1500.5, 'IDR')).toBe('IDR 1,500.50');
    expect(formatMoney(1500.99, 'IDR')).toBe('IDR 1,500.99');
    expect(formatMoney(-5, 'USD')).toBe('USD -5.00');
    expect(formatMoney(-0.0001, 'USD')).toBe('USD 0.00');
  });

  it('prints the number alone for a column whose header names the currency', () => {
    expect(formatMoney(1311.353, 'KWD', { code: false })).toBe('1,311.353');
    expect(formatMoney(127_000, 'JPY', { code: false })).toBe('127,000');
    expect(formatMoney(1500.5, 'IDR', { code: false })).toBe('1,500.50');
    expect(formatMoney(19.9, 'USD', { code: false })).toBe('19.90');
  });
});
