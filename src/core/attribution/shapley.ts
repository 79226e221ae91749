import type { JourneyBatch } from '../journey-batch.js';
import { type AttributionModel, ChannelTotals, type ModelCredits } from './model.js';

/**
 * The exact Shapley value of the game v(S) = conversions (or value) of the journeys whose set of
 * channels is a subset of S. That game is a sum of unanimity games, one per journey, with the
 * journey's conversions as its Harsanyi dividend; the Shapley value of a unanimity game on T is
 * an equal share for every member of T. So each journey's conversions and value are split equally
 * among its distinct channels, which is exact for any number of channels and needs no 2^n table.
 * (`shapley.test.ts` checks this against the Shapley formula over all coalitions.)
 */
export function shapleyModel(): AttributionModel {
  const totals = new ChannelTotals();
  let seen = new Uint32Array(16);
  let stamp = 0;
  let channelCount = 0;
  const members: number[] = [];
  return {
    name: 'shapley',
    accumulate(batch: JourneyBatch) {
      channelCount = batch.dictionaries.channels.size;
      totals.reserve(channelCount);
      if (seen.length < channelCount) seen = new Uint32Array(channelCount * 2);
      const { touchOffsets, touchChannel, conversions, value } = batch;
      for (let j = 0; j < batch.journeyCount; j++) {
        const conv = conversions[j];
        const val = value[j];
        if (conv === 0 && val === 0) continue;
        stamp++;
        if (stamp === 0xffffffff) {
          seen.fill(0);
          stamp = 1;
        }
        members.length = 0;
        for (let t = touchOffsets[j]; t < touchOffsets[j + 1]; t++) {
          const channel = touchChannel[t];
          if (seen[channel] !== stamp) {
            seen[channel] = stamp;
            members.push(channel);
          }
        }
        const share = 1 / members.length;
        for (const channel of members) totals.add(channel, conv * share, val * share);
      }
    },
    solve(): ModelCredits {
      return totals.result(channelCount);
    },
  };
}
