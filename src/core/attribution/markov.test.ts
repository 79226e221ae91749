import { describe, expect, it } from 'vitest';
import { readPathsFile } from '../../cli/input/read-paths.js';
import { sharedDataPath } from '../../test-support/shared-data.js';
import { markovModel } from './markov.js';
import { conversionsByChannel, journey, runModel } from './test-journeys.js';

describe('markov', () => {
  it('merges back-to-back repeats: A > A > B is A > B', () => {
    const repeated = runModel(markovModel(), [
      journey('a > a > b'),
      journey('a > c', { conversions: 0, nulls: 1 }),
    ]);
    const merged = runModel(markovModel(), [
      journey('a > b'),
      journey('a > c', { conversions: 0, nulls: 1 }),
    ]);
    expect(repeated.removal_effects).toEqual(merged.removal_effects);
    expect(conversionsByChannel(repeated)).toEqual(conversionsByChannel(merged));
  });

  it('solves a small chain by hand: half the walkers convert, c never helps', () => {
    // start → a (2); a → b (1), a → c (1); b → conversion (1); c → null (1). P = 1/2.
    const report = runModel(markovModel({ order: 2 }), [
      journey('a > b'),
      journey('a > c', { conversions: 0, nulls: 1 }),
    ]);
    expect(report.removal_effects).toEqual({ a: 1, b: 1, c: 0 });
    expect(conversionsByChannel(report)).toEqual({ a: 0.5, b: 0.5, c: 0 });
  });

  it('ignores nulls with useNulls false', () => {
    const report = runModel(markovModel({ useNulls: false }), [
      journey('a > b', { conversions: 3 }),
      journey('a', { conversions: 0, nulls: 100 }),
    ]);
    expect(report.removal_effects).toEqual({ a: 1, b: 1 });
  });

  it('credits value in the conversion shares', () => {
    const report = runModel(markovModel(), [
      journey('a > b', { conversions: 2, value: 30 }),
      journey('a', { value: 10 }),
    ]);
    const credits = report.models.markov ?? [];
    const totalValue = credits.reduce((sum, credit) => sum + credit.value, 0);
    expect(totalValue).toBeCloseTo(40, 12);
    for (const credit of credits) expect(credit.value / 40).toBeCloseTo(credit.conversions / 3, 12);
  });

  it('refuses an order outside 1 to 4', () => {
    expect(() => markovModel({ order: 5 })).toThrowError(/order: expected 1, 2, 3 or 4/);
    expect(() => markovModel({ order: 1.5 })).toThrowError(/order/);
  });

  it('gets the same answer from elimination and from iteration, to 1e-12', () => {
    const { batch } = readPathsFile(sharedDataPath('channelattribution', 'Data.csv'));
    for (const order of [1, 2, 3]) {
      const dense = runModel(markovModel({ order, solver: 'dense' }), batch);
      const iterative = runModel(markovModel({ order, solver: 'iterative' }), batch);
      for (const [channel, effect] of Object.entries(dense.removal_effects ?? {})) {
        expect(
          Math.abs((iterative.removal_effects?.[channel] ?? Number.NaN) - effect),
        ).toBeLessThan(1e-12);
      }
    }
  });
});
