import { describe, expect, it } from 'vitest';
import { minorDigits, money } from './money.js';

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
  });
});
