import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JourneyBatch } from '../journey-batch.js';
import type { Journey } from '../types.js';
import { type AttributionModel, ChannelTotals, type ModelCredits } from './model.js';
import { shapleySimplifiedModel } from './shapley-simplified.js';
import { conversionsByChannel, journey, runModel } from './test-journeys.js';

/**
 * The model as first written, by its definition: every counterfactual path built and looked up
 * by its full text. Quadratic in path length, and the answers the fast one must give exactly.
 */
function referenceModel(): AttributionModel {
  interface PathCounts {
    readonly channels: readonly number[];
    conversions: number;
    nulls: number;
    value: number;
  }
  const keyOf = (channels: readonly number[]) => channels.join('>');
  const paths = new Map<string, PathCounts>();
  let channelCount = 0;
  return {
    name: 'shapley_simplified',
    accumulate(batch: JourneyBatch) {
      channelCount = batch.dictionaries.channels.size;
      const { touchOffsets, touchChannel, conversions, value, nulls } = batch;
      for (let j = 0; j < batch.journeyCount; j++) {
        const start = touchOffsets[j] as number;
        const end = touchOffsets[j + 1] as number;
        if (end === start) continue;
        const channels = Array.from(touchChannel.subarray(start, end));
        const key = keyOf(channels);
        let counts = paths.get(key);
        if (counts === undefined) {
          counts = { channels, conversions: 0, nulls: 0, value: 0 };
          paths.set(key, counts);
        }
        counts.conversions += conversions[j] as number;
        counts.nulls += nulls[j] as number;
        counts.value += value[j] as number;
      }
    },
    solve(): ModelCredits {
      const totals = new ChannelTotals();
      totals.reserve(channelCount);
      const rateOf = (counts: PathCounts | undefined) => {
        if (counts === undefined) return 0;
        const seen = counts.conversions + counts.nulls;
        return seen > 0 ? counts.conversions / seen : 0;
      };
      for (const path of paths.values()) {
        if (path.conversions === 0 && path.value === 0) continue;
        const rate = rateOf(path);
        const n = path.channels.length;
        const marginals = new Float64Array(n);
        let sum = 0;
        for (let i = 0; i < n; i++) {
          const counterfactual = path.channels.slice(0, i).concat(path.channels.slice(i + 1));
          const marginal = Math.max(0, rate - rateOf(paths.get(keyOf(counterfactual))));
          marginals[i] = marginal;
          sum += marginal;
        }
        if (sum === 0) {
          totals.add(path.channels[n - 1] as number, path.conversions, path.value);
          continue;
        }
        for (let i = 0; i < n; i++) {
          const share = (marginals[i] as number) / sum;
          if (share > 0) {
            totals.add(path.channels[i] as number, path.conversions * share, path.value * share);
          }
        }
      }
      return totals.result(channelCount);
    },
  };
}

// Few channels and short paths, so that many counterfactual paths were also seen.
const journeysArbitrary: fc.Arbitrary<Journey[]> = fc.array(
  fc
    .record({
      channels: fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 6 }),
      conversions: fc.integer({ min: 0, max: 3 }),
      value: fc.double({ min: 0, max: 5_000, noNaN: true }),
      nulls: fc.integer({ min: 0, max: 3 }),
    })
    .map(({ channels, conversions, value, nulls }) => ({
      touches: channels.map((channel) => ({ channel, at: Number.NaN })),
      conversions,
      value: conversions > 0 ? value : 0,
      nulls,
    })),
  { minLength: 1, maxLength: 60 },
);

describe('shapley_simplified', () => {
  it('credits a hand-checked case: each touch by what its path loses without it', () => {
    // a > b converts at 1/2; without a it is b (1/4), without b it is a (0): marginals 1/4 and
    // 1/2, so a gets 1/3 of its conversion and b 2/3. b alone converts at 1/4 against an unseen
    // empty path: all of its conversion goes to b.
    const credits = conversionsByChannel(
      runModel(shapleySimplifiedModel(), [
        journey('a > b', { conversions: 1, nulls: 1 }),
        journey('a', { conversions: 0, nulls: 1 }),
        journey('b', { conversions: 1, nulls: 3 }),
      ]),
    );
    expect(credits.a).toBeCloseTo(1 / 3, 12);
    expect(credits.b).toBeCloseTo(5 / 3, 12);
  });

  it('gives exactly the credits of the definition on random journeys', () => {
    fc.assert(
      fc.property(journeysArbitrary, (journeys) => {
        const expected = runModel(referenceModel(), journeys);
        expect(runModel(shapleySimplifiedModel(), journeys)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same credits when every path hashes alike, so a collision changes nothing', () => {
    fc.assert(
      fc.property(journeysArbitrary, (journeys) => {
        const expected = runModel(referenceModel(), journeys);
        const colliding = shapleySimplifiedModel({ hashPrimes: [1, 1] });
        expect(runModel(colliding, journeys)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('finds the counterfactuals of a long path, runs of a channel included', () => {
    let seed = 7;
    const draw = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const long = Array.from({ length: 600 }, () => ['a', 'b', 'c', 'd'][draw(4)] as string);
    const journeys: Journey[] = [
      journey(long.join(' > '), { conversions: 5, nulls: 5, value: 50 }),
    ];
    // Half of its leave-one-out paths were seen too, each with its own rate.
    for (let skip = 0; skip < long.length; skip += 2) {
      const without = long.filter((_, k) => k !== skip).join(' > ');
      journeys.push(journey(without, { conversions: draw(3), nulls: 1 + draw(3) }));
    }
    expect(runModel(shapleySimplifiedModel(), journeys)).toEqual(
      runModel(referenceModel(), journeys),
    );
  });
});
