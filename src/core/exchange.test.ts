import { describe, expect, it } from 'vitest';
import type { ExchangeRate } from './deals.js';
import { amountInCurrency, rateFor } from './exchange.js';

const day = (iso: string) => ({ at: Date.parse(`${iso}T00:00:00Z`), dateOnly: true });
const rates: ExchangeRate[] = [
  { date: day('2027-01-01'), currency: 'EUR', rate: 1.1 },
  { date: day('2027-02-01'), currency: 'EUR', rate: 1.2 },
  { date: day('2027-01-01'), currency: 'JPY', rate: 0.0068 },
];

describe('rateFor', () => {
  it('takes the latest rate on or before the date, else the earliest', () => {
    expect(rateFor(rates, 'EUR', day('2027-01-31'), 'UTC')).toBe(1.1);
    expect(rateFor(rates, 'EUR', day('2027-02-01'), 'UTC')).toBe(1.2);
    expect(rateFor(rates, 'EUR', day('2030-01-01'), 'UTC')).toBe(1.2);
    expect(rateFor(rates, 'EUR', day('2020-01-01'), 'UTC')).toBe(1.1);
    expect(rateFor(rates, 'EUR', null, 'UTC')).toBe(1.1);
    expect(rateFor(rates, 'CHF', day('2027-01-31'), 'UTC')).toBeUndefined();
  });
});

describe('amountInCurrency', () => {
  const deal = (amountMinor: number | null, currency: string | null, closed = '2027-02-15') => ({
    amountMinor,
    currency,
    closedAt: day(closed),
    createdAt: null,
  });

  it('converts at the rate in force at the close, across minor-unit scales', () => {
    expect(amountInCurrency(deal(100_000, 'EUR'), rates, 'USD', 'UTC')).toBe(120_000);
    expect(amountInCurrency(deal(100_000, 'EUR', '2027-01-10'), rates, 'USD', 'UTC')).toBe(110_000);
    // 1,000,000 yen (no minor digits) at 0.0068 = 6,800.00 USD
    expect(amountInCurrency(deal(1_000_000, 'JPY'), rates, 'USD', 'UTC')).toBe(680_000);
  });

  it("takes the rate of the close's day in the workspace's zone, not in UTC", () => {
    // Won at 08:00 in Tokyo on 1 February: still 31 January in UTC.
    const tokyoMorning = {
      amountMinor: 100_000,
      currency: 'EUR',
      closedAt: { at: Date.parse('2027-02-01T08:00:00+09:00'), dateOnly: false },
      createdAt: null,
    };
    expect(amountInCurrency(tokyoMorning, rates, 'USD', 'Asia/Tokyo')).toBe(120_000);
    expect(amountInCurrency(tokyoMorning, rates, 'USD', 'UTC')).toBe(110_000);
    // And late on 31 January in New York, already 1 February in UTC.
    const newYorkEvening = {
      ...tokyoMorning,
      closedAt: { at: Date.parse('2027-01-31T21:00:00-05:00'), dateOnly: false },
    };
    expect(amountInCurrency(newYorkEvening, rates, 'USD', 'America/New_York')).toBe(110_000);
    expect(amountInCurrency(newYorkEvening, rates, 'USD', 'UTC')).toBe(120_000);
    // A close date without a time is its own day in every zone.
    expect(
      amountInCurrency(deal(100_000, 'EUR', '2027-02-01'), rates, 'USD', 'Pacific/Kiritimati'),
    ).toBe(120_000);
  });

  it('leaves out what it cannot convert instead of mixing currencies', () => {
    expect(amountInCurrency(deal(5_000, 'CHF'), rates, 'USD', 'UTC')).toBeNull();
    expect(amountInCurrency(deal(null, 'EUR'), rates, 'USD', 'UTC')).toBeNull();
    expect(amountInCurrency(deal(5_000, 'USD'), [], 'USD', 'UTC')).toBe(5_000);
  });
});
