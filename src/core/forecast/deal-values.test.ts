import { describe, expect, it } from 'vitest';
import { deal, usdAmount } from '../../test-support/deals.js';
import { dealValuer } from './deal-values.js';

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
