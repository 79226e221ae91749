import type { JourneyBatch } from '../journey-batch.js';
import { type AttributionModel, ChannelTotals, type ModelCredits } from './model.js';

interface PathCounts {
  readonly channels: readonly number[];
  conversions: number;
  nulls: number;
  value: number;
}

const keyOf = (channels: readonly number[]) => channels.join('>');

/**
 * google/fractribution's simplified Shapley: for each touch position of a converting path, the
 * counterfactual is the same path without that position (repeats kept). Its marginal value is
 * max(0, rate(path) − rate(counterfactual)), where a rate is conversions ÷ (conversions + nulls)
 * of that exact path, 0 for a path never seen. Marginals are scaled to the path's conversions
 * (and value); when all are 0 the last touch takes the credit.
 */
export function shapleySimplifiedModel(): AttributionModel {
  const paths = new Map<string, PathCounts>();
  let channelCount = 0;
  return {
    name: 'shapley_simplified',
    accumulate(batch: JourneyBatch) {
      channelCount = batch.dictionaries.channels.size;
      const { touchOffsets, touchChannel, conversions, value, nulls } = batch;
      for (let j = 0; j < batch.journeyCount; j++) {
        const start = touchOffsets[j];
        const end = touchOffsets[j + 1];
        if (end === start) continue;
        const channels = Array.from(touchChannel.subarray(start, end));
        const key = keyOf(channels);
        let counts = paths.get(key);
        if (counts === undefined) {
          counts = { channels, conversions: 0, nulls: 0, value: 0 };
          paths.set(key, counts);
        }
        counts.conversions += conversions[j];
        counts.nulls += nulls[j];
        counts.value += value[j];
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
          totals.add(path.channels[n - 1], path.conversions, path.value);
          continue;
        }
        for (let i = 0; i < n; i++) {
          const share = marginals[i] / sum;
          if (share > 0) totals.add(path.channels[i], path.conversions * share, path.value * share);
        }
      }
      return totals.result(channelCount);
    },
  };
}
