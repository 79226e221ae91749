import { describe, expect, it } from 'vitest';
import { deal, usdAmount } from '../../test-support/deals.js';
import { bookingOf, dealValuer } from './deal-values.js';

const isoDay = (day: number) => new Date(Date.UTC(2027, 0, day)).toISOString().slice(0, 10);

/** `n` deals created on 1 January and won `days` later, each worth `amount`. */
const wonAfter = (prefix: string, n: number, days: number, amount: number) =>
  Array.from({ length: n }, (_, i) =>
    deal({
      id: `${prefix}${i}`,
      stages: `Proposal ${isoDay(1)} > Won ${isoDay(1 + days)}`,
      amount,
    }),
  );

describe('the value of a deal not created yet', () => {
  // Ten small deals won in 10 days, ten big ones in 200: a deal created next week that is won
  // within the month is one of the quick ones.
  const valuer = dealValuer(
    [...wonAfter('quick', 10, 10, 100_00), ...wonAfter('slow', 10, 200, 1000_00)],
    usdAmount,
    'average',
  );

  it('is the size of the deals won at most as young as it can be', () => {
    expect(valuer.wonWithin(31)?.point).toBe(100_00);
  });

  it('is the size of all won deals when every one of them was won that young', () => {
    expect(valuer.all?.point).toBe(550_00);
    expect(valuer.wonWithin(365)).toBe(valuer.all);
  });

  it('falls back to all won deals when fewer than ten were won that young', () => {
    expect(valuer.wonWithin(5)).toBe(valuer.all);
  });
});

describe('the booking of a recurring deal', () => {
  const yearly = (amount: number, termMonths: number) => ({
    ...deal({ id: 'y', stages: `Proposal ${isoDay(1)} > Won ${isoDay(20)}`, amount }),
    recurringInterval: 'year' as const,
    termMonths,
  });

  it('is whole minor units, rounded half away from zero as money.ts rounds', () => {
    // $1,000.01 a year for 18 months is 150,001.5 cents; $100.01 for 7 months 5,833.92 cents.
    expect(bookingOf(yearly(1000_01, 18), 1000_01)).toBe(150_002);
    expect(bookingOf(yearly(100_01, 7), 100_01)).toBe(5_834);
    expect(bookingOf(yearly(-1000_01, 18), -1000_01)).toBe(-150_002);
  });
});

describe('the value of an open deal in a currency with no exchange rate', () => {
  const valuer = dealValuer(wonAfter('won', 10, 20, 1060_00), usdAmount, 'average');
  const open = (id: string, amount: number | null) =>
    deal({ id, stages: `Proposal ${isoDay(2)}`, amount });

  it('is left out, not taken from the won deal size: its own amount is known', () => {
    const euro = { ...open('eur', 5_000_000_00), currency: 'EUR' };
    expect(valuer.valueOf(euro)).toEqual({
      value: null,
      source: 'no exchange rate',
      distribution: null,
    });
  });

  it('leaves a deal without an amount valued at the won deal size', () => {
    expect(valuer.valueOf(open('blank', null))).toMatchObject({
      value: 1060_00,
      source: 'all won deals',
    });
  });
});
