import { describe, expect, it } from 'vitest';
import { deal, salesPipeline, usdAmount } from '../../test-support/deals.js';
import type { Deal } from '../deals.js';
import { dayNumber, horizonMonths } from '../forecast/days.js';
import { weightedPipeline } from './baselines.js';

describe('the weighted pipeline', () => {
  // Of the deals that reached Proposal, one was won (for $1,000) and one lost: a rate of 1/2.
  const closed = [
    deal({
      id: 'w',
      stages: 'Lead 2027-01-02 > Proposal 2027-01-10 > Won 2027-02-01',
      amount: 100_000,
    }),
    deal({ id: 'l', stages: 'Lead 2027-01-03 > Proposal 2027-01-11 > Lost 2027-02-02' }),
  ];
  const months = horizonMonths(
    dayNumber({ at: Date.parse('2027-03-01T00:00:00Z'), dateOnly: true }, 'UTC'),
    2,
  );
  const proposal = (id: string, fields: { amount?: number; currency?: string }) => {
    const open = deal({
      id,
      stages: 'Lead 2027-02-05 > Proposal 2027-02-20',
      amount: fields.amount,
    });
    return fields.currency === undefined ? open : { ...open, currency: fields.currency };
  };
  const baseline = (open: Deal[]) =>
    weightedPipeline([...closed, ...open], [salesPipeline], usdAmount, months, 'UTC');

  it('values an open deal at its amount, or at the average win when it has none, times its stage rate', () => {
    const open = [proposal('a', { amount: 40_000 }), proposal('b', {})];
    const { revenue, count } = baseline(open);
    // No expected close: spread evenly over the two months.
    expect([...revenue]).toEqual([(0.5 * (40_000 + 100_000)) / 2, (0.5 * (40_000 + 100_000)) / 2]);
    expect([...count]).toEqual([0.5, 0.5]);
  });

  it('leaves an amount in a currency with no rate unvalued, as the forecast and the actuals do, and still counts the deal', () => {
    const open = [
      proposal('a', { amount: 40_000 }),
      proposal('yen', { amount: 9_000_000, currency: 'JPY' }),
    ];
    const { revenue, count } = baseline(open);
    expect([...revenue]).toEqual([(0.5 * 40_000) / 2, (0.5 * 40_000) / 2]);
    expect([...count]).toEqual([0.5, 0.5]);
  });
});
