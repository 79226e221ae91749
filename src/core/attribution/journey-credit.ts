import type { JourneyBatch } from '../journey-batch.js';
import { sliceBatch } from '../journey-batch.js';
import { createModel, type ModelName, type ModelOptions } from './registry.js';
import { simplifiedShapleyShares } from './shapley-simplified.js';

/** Channel name → share of one journey's credit; shares sum to 1. */
export type JourneyShares = ReadonlyMap<string, number>;

/**
 * Each journey's credit split among its channels by one model, for breakdowns that follow a
 * single deal or lead (the forecast by channel). Rule-based models and Shapley credit a journey
 * on its own, so each is solved on that journey alone; simplified Shapley splits a journey by
 * comparing its path with the batch's paths. Markov credits only in aggregate: a
 * journey's share goes to its distinct channels in proportion to their removal effects over all
 * journeys (equal shares when none has any). A journey that converts nothing still gets shares.
 */
export function sharesPerJourney(
  batch: JourneyBatch,
  name: ModelName,
  options: ModelOptions = {},
): JourneyShares[] {
  const names = batch.dictionaries.channels.names;
  const shares: JourneyShares[] = [];
  const effects = name === 'markov' ? removalEffects(batch, options) : undefined;
  // Simplified Shapley compares a path with the same path less one touch, as the batch saw them:
  // alone, a journey would have no such paths to compare with.
  const pathShares = name === 'shapley_simplified' ? simplifiedShapleyShares(batch) : undefined;
  for (let j = 0; j < batch.journeyCount; j++) {
    const start = batch.touchOffsets[j] as number;
    const end = batch.touchOffsets[j + 1] as number;
    const touches = Array.from(batch.touchChannel.subarray(start, end));
    const channels = [...new Set(touches)];
    if (channels.length === 0) {
      shares.push(new Map());
      continue;
    }
    let weights: number[];
    if (effects !== undefined) weights = channels.map((channel) => effects[channel] ?? 0);
    else if (pathShares !== undefined) weights = byChannel(pathShares(touches), touches, channels);
    else weights = soloCredits(sliceBatch(batch, j, j + 1), name, options, channels);
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    shares.push(
      new Map(
        channels.map((channel, i) => [
          names[channel] as string,
          total > 0 ? (weights[i] as number) / total : 1 / channels.length,
        ]),
      ),
    );
  }
  return shares;
}

/** Shares of touches summed per distinct channel, in the order of `channels`. */
function byChannel(
  touchShares: Float64Array,
  touches: readonly number[],
  channels: readonly number[],
): number[] {
  const sums = new Map<number, number>();
  for (const [i, channel] of touches.entries()) {
    sums.set(channel, (sums.get(channel) ?? 0) + (touchShares[i] as number));
  }
  return channels.map((channel) => sums.get(channel) ?? 0);
}

function removalEffects(batch: JourneyBatch, options: ModelOptions): Float64Array {
  const model = createModel('markov', options);
  model.accumulate(batch);
  return model.solve().removalEffects ?? new Float64Array(0);
}

/** The model's credit of one journey alone, made to convert once so every model credits it. */
function soloCredits(
  journey: JourneyBatch,
  name: ModelName,
  options: ModelOptions,
  channels: readonly number[],
): number[] {
  const converting: JourneyBatch = {
    ...journey,
    conversions: Float64Array.of(1),
    value: Float64Array.of(0),
    nulls: Float64Array.of(0),
  };
  const model = createModel(name, options);
  model.accumulate(converting);
  const credits = model.solve().conversions;
  return channels.map((channel) => credits[channel] ?? 0);
}
