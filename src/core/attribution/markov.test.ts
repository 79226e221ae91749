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

  it('credits value by value removal effects, as ChannelAttribution does', () => {
    // start → a (3); a → b (2), a → conversion (1); b → conversion (2). Conversions: removing a
    // loses all, removing b 2 of 3, so a gets 1 ÷ (1 + 2/3) of 3 = 1.8 and b 1.2. Value: a walk
    // leaving a for an exit earns 10 ÷ 3 exits, leaving b 30 ÷ 2, so E[value] = 10/3 + 2/3 × 15
    // = 40/3 and 10/3 without b: effects 1 and 3/4, so a gets 4/7 of 40 and b 3/7.
    const report = runModel(markovModel(), [
      journey('a > b', { conversions: 2, value: 30 }),
      journey('a', { value: 10 }),
    ]);
    const byChannel = new Map((report.models.markov ?? []).map((c) => [c.channel, c]));
    expect(byChannel.get('a')?.conversions).toBeCloseTo(1.8, 12);
    expect(byChannel.get('b')?.conversions).toBeCloseTo(1.2, 12);
    expect(byChannel.get('a')?.value).toBeCloseTo(160 / 7, 12);
    expect(byChannel.get('b')?.value).toBeCloseTo(120 / 7, 12);
    // The removal effects reported stay those of conversions.
    expect(report.removal_effects?.a).toBeCloseTo(1, 12);
    expect(report.removal_effects?.b).toBeCloseTo(2 / 3, 12);
  });

  it('credits value in the conversion shares when no walk of the chain can earn it', () => {
    // Value that came only with a path that did not convert.
    const report = runModel(markovModel(), [
      journey('a > b', { conversions: 2 }),
      journey('a'),
      journey('c', { conversions: 0, nulls: 1, value: 50 }),
    ]);
    const credits = report.models.markov ?? [];
    expect(credits.reduce((sum, credit) => sum + credit.value, 0)).toBeCloseTo(50, 12);
    for (const credit of credits) expect(credit.value / 50).toBeCloseTo(credit.conversions / 3, 12);
  });

  it('credits value to the channels that brought it when nothing converted at all', () => {
    const report = runModel(markovModel(), [
      journey('a > b', { conversions: 0, nulls: 3, value: 5 }),
      journey('c', { conversions: 0, nulls: 1 }),
    ]);
    const value = Object.fromEntries(
      (report.models.markov ?? []).map((credit) => [credit.channel, credit.value]),
    );
    expect(value).toEqual({ a: 2.5, b: 2.5, c: 0 });
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
      const iterativeValue = new Map(iterative.models.markov?.map((c) => [c.channel, c.value]));
      for (const { channel, value } of dense.models.markov ?? []) {
        expect(Math.abs((iterativeValue.get(channel) ?? Number.NaN) - value)).toBeLessThan(1e-8);
      }
    }
  });
});
