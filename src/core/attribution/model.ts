import type { JourneyBatch } from '../journey-batch.js';

/** Per channel id: fractional conversions and value credited by one model. */
export interface ModelCredits {
  readonly conversions: Float64Array;
  readonly value: Float64Array;
  /** Markov only: raw removal effect per channel id. */
  readonly removalEffects?: Float64Array;
}

/**
 * Every model accumulates over chunks of journeys, then solves once: Markov and Shapley need
 * counts over all journeys before they can credit any. Credits are indexed by channel id of the
 * batches' shared channel dictionary and sum to the converting totals.
 */
export interface AttributionModel {
  readonly name: string;
  accumulate(batch: JourneyBatch): void;
  solve(): ModelCredits;
}

/** Growable per-channel sums, shared by the models that credit touch by touch. */
export class ChannelTotals {
  #conversions = new Float64Array(16);
  #value = new Float64Array(16);

  reserve(channelCount: number): void {
    if (channelCount <= this.#conversions.length) return;
    const size = Math.max(channelCount, this.#conversions.length * 2);
    const conversions = new Float64Array(size);
    conversions.set(this.#conversions);
    const value = new Float64Array(size);
    value.set(this.#value);
    this.#conversions = conversions;
    this.#value = value;
  }

  /** Callers reserve the channel count first; adding is then a plain indexed write. */
  add(channel: number, conversions: number, value: number): void {
    this.#conversions[channel] += conversions;
    this.#value[channel] += value;
  }

  result(channelCount: number): ModelCredits {
    this.reserve(channelCount);
    return {
      conversions: this.#conversions.slice(0, channelCount),
      value: this.#value.slice(0, channelCount),
    };
  }
}

/** Remembers the channel dictionary size of the batches a model has seen. */
export function channelCountOf(batch: JourneyBatch | undefined): number {
  return batch === undefined ? 0 : batch.dictionaries.channels.size;
}
