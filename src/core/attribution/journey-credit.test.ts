import { describe, expect, it } from 'vitest';
import { batchFromJourneys } from '../journey-batch.js';
import { sharesPerJourney } from './journey-credit.js';
import { modelNames } from './registry.js';

const day = 86_400_000;
const touches = (...channels: string[]) =>
  channels.map((channel, i) => ({ channel, at: Date.UTC(2027, 0, 1) + i * day }));

const batch = batchFromJourneys([
  {
    touches: touches('Paid Search', 'Email', 'Direct'),
    conversions: 1,
    value: 100,
    nulls: 0,
    conversionAt: Date.UTC(2027, 0, 5),
  },
  { touches: touches('Referral'), conversions: 0, value: 0, nulls: 1 },
  {
    touches: touches('Email', 'Email'),
    conversions: 1,
    value: 50,
    nulls: 0,
    conversionAt: Date.UTC(2027, 0, 5),
  },
]);

describe('sharesPerJourney', () => {
  it('gives every journey shares that sum to one, under every model', () => {
    for (const name of modelNames) {
      const shares = sharesPerJourney(batch, name, { customWeights: { first: 1 } });
      expect(shares, name).toHaveLength(3);
      for (const journey of shares) {
        const total = [...journey.values()].reduce((sum, share) => sum + share, 0);
        expect(total, name).toBeCloseTo(1, 12);
      }
      expect(shares[1], name).toEqual(new Map([['Referral', 1]]));
      expect(shares[2], name).toEqual(new Map([['Email', 1]]));
    }
  });

  it('follows each model on a journey alone: first, last, linear', () => {
    expect(sharesPerJourney(batch, 'first')[0]).toEqual(
      new Map([
        ['Paid Search', 1],
        ['Email', 0],
        ['Direct', 0],
      ]),
    );
    expect(sharesPerJourney(batch, 'last')[0]?.get('Direct')).toBe(1);
    for (const share of sharesPerJourney(batch, 'linear')[0]?.values() ?? []) {
      expect(share).toBeCloseTo(1 / 3, 12);
    }
  });

  it('splits by removal effects under markov', () => {
    const shares = sharesPerJourney(batch, 'markov')[0] as ReadonlyMap<string, number>;
    // Email converts on its own path too, so removing it loses more than removing Paid Search.
    expect(shares.get('Email')).toBeGreaterThan(shares.get('Paid Search') as number);
  });

  it('splits by the batch’s paths under shapley_simplified, as the model credits in aggregate', () => {
    // A>B converts once in one try; B alone too; A alone was never seen. Without B, A>B becomes
    // A (rate 0): B's marginal is 1. Without A it becomes B (rate 1): A's marginal is 0.
    const ab = batchFromJourneys([
      { touches: touches('A', 'B'), conversions: 1, value: 10, nulls: 0, conversionAt: day },
      { touches: touches('B'), conversions: 1, value: 10, nulls: 0, conversionAt: day },
    ]);
    const [first, second] = sharesPerJourney(ab, 'shapley_simplified');
    expect(Object.fromEntries(first ?? [])).toEqual({ A: 0, B: 1 });
    expect(Object.fromEntries(second ?? [])).toEqual({ B: 1 });
  });
});
