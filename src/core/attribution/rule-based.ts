import { ClosedloopError } from '../errors.js';
import type { JourneyBatch } from '../journey-batch.js';
import { type AttributionModel, ChannelTotals, type ModelCredits } from './model.js';

/**
 * Writes the share of credit each touch of journey `j` gets into `weights[0 .. n-1]`, summing to 1.
 * `start` is the journey's first touch index in the batch, `n` its touch count (at least 1).
 */
type WeighTouches = (
  batch: JourneyBatch,
  j: number,
  start: number,
  n: number,
  weights: Float64Array,
) => void;

/** A model that splits each journey's conversions and value over its touches by weights. */
class TouchWeightModel implements AttributionModel {
  readonly #totals = new ChannelTotals();
  #weights = new Float64Array(64);
  #channelCount = 0;

  constructor(
    readonly name: string,
    private readonly weigh: WeighTouches,
    private readonly check: (batch: JourneyBatch) => void = () => {},
  ) {}

  accumulate(batch: JourneyBatch): void {
    this.check(batch);
    this.#channelCount = batch.dictionaries.channels.size;
    this.#totals.reserve(this.#channelCount);
    const { touchOffsets, touchChannel, conversions, value } = batch;
    for (let j = 0; j < batch.journeyCount; j++) {
      const conv = conversions[j];
      const val = value[j];
      if (conv === 0 && val === 0) continue;
      const start = touchOffsets[j];
      const n = touchOffsets[j + 1] - start;
      if (n === 0) continue;
      if (n > this.#weights.length) this.#weights = new Float64Array(n * 2);
      const weights = this.#weights;
      this.weigh(batch, j, start, n, weights);
      for (let i = 0; i < n; i++) {
        const w = weights[i];
        if (w !== 0) this.#totals.add(touchChannel[start + i], conv * w, val * w);
      }
    }
  }

  solve(): ModelCredits {
    return this.#totals.result(this.#channelCount);
  }
}

const onlyAt = (weights: Float64Array, n: number, position: number) => {
  weights.fill(0, 0, n);
  weights[position] = 1;
};

export function firstTouchModel(): AttributionModel {
  return new TouchWeightModel('first', (_b, _j, _s, n, w) => onlyAt(w, n, 0));
}

export function lastTouchModel(): AttributionModel {
  return new TouchWeightModel('last', (_b, _j, _s, n, w) => onlyAt(w, n, n - 1));
}

export function linearModel(): AttributionModel {
  return new TouchWeightModel('linear', (_b, _j, _s, n, w) => w.fill(1 / n, 0, n));
}

/** The channel names that mean "no marketing touch": Direct as a channel group, GA's (direct). */
export function isDirectChannel(name: string): boolean {
  return /^\(?direct\)?$/i.test(name.trim());
}

/** Last touch that is not Direct; a journey of Direct touches only credits its last touch. */
export function lastNonDirectModel(): AttributionModel {
  let directIds: Uint8Array = new Uint8Array(0);
  return new TouchWeightModel(
    'last_non_direct',
    (batch, _j, start, n, w) => {
      let position = n - 1;
      while (position >= 0 && directIds[batch.touchChannel[start + position]] === 1) position--;
      onlyAt(w, n, position < 0 ? n - 1 : position);
    },
    (batch) => {
      const names = batch.dictionaries.channels.names;
      if (directIds.length === names.length) return;
      directIds = new Uint8Array(names.length);
      names.forEach((name, id) => {
        directIds[id] = isDirectChannel(name) ? 1 : 0;
      });
    },
  );
}

const dayMs = 86_400_000;

/**
 * Weight halves for every half-life between the touch and the conversion (the last touch's time
 * when the conversion time is unknown). Touches stamped after the conversion count as age 0.
 */
export function timeDecayModel(halfLifeDays = 7): AttributionModel {
  if (!(halfLifeDays > 0) || !Number.isFinite(halfLifeDays)) {
    throw new ClosedloopError(
      'CL_ERR_MODEL_OPTION',
      `half-life: expected a positive number of days, got ${halfLifeDays}`,
    );
  }
  const halfLifeMs = halfLifeDays * dayMs;
  return new TouchWeightModel(
    'time_decay',
    (batch, j, start, n, w) => {
      const times = batch.touchTime as Float64Array;
      const convAt = batch.conversionTime?.[j];
      const end = convAt === undefined || Number.isNaN(convAt) ? times[start + n - 1] : convAt;
      const ageOf = (i: number) => Math.max(0, end - times[start + i]);
      // Weighing from the youngest touch gives the same shares, and its weight of 1 keeps the sum
      // from underflowing to 0 (and the shares to 0/0) when every touch is >1,075 half-lives old.
      let youngest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < n; i++) youngest = Math.min(youngest, ageOf(i));
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const weight = 2 ** (-(ageOf(i) - youngest) / halfLifeMs);
        w[i] = weight;
        sum += weight;
      }
      for (let i = 0; i < n; i++) w[i] /= sum;
    },
    (batch) => {
      if (batch.touchTime === null) {
        throw new ClosedloopError(
          'CL_ERR_MODEL_INPUT',
          'time_decay: needs a timestamp on every touch; path-level input has none (use --touchpoints)',
        );
      }
    },
  );
}

/**
 * Weights of the anchor touches of a journey, and of the "middle": every touch that is no anchor.
 * A weight that is given makes its touch an anchor even when it is 0 (`position` with last 0
 * gives the last touch nothing, not a middle share); a weight left out does not (`w_shaped` has
 * no `last`, so its last touch is a middle one). Anchors that coincide (a first touch that is
 * also the lead touch) add up on that touch. A group a journey lacks (no middle in a two-touch
 * journey, no deal touch before a deal exists) drops out and the others are scaled back to 1, so
 * a one-touch journey always credits its only touch.
 */
export interface AnchorWeights {
  readonly first?: number;
  readonly last?: number;
  readonly lead?: number;
  readonly deal?: number;
  readonly won?: number;
  readonly middle?: number;
}

const anchorNames = ['first', 'last', 'lead', 'deal', 'won', 'middle'] as const;

export function validateAnchorWeights(model: string, weights: AnchorWeights): void {
  let sum = 0;
  for (const name of anchorNames) {
    const weight = weights[name] ?? 0;
    if (!(weight >= 0) || !Number.isFinite(weight)) {
      throw new ClosedloopError(
        'CL_ERR_MODEL_OPTION',
        `${model}: weight "${name}" must be a number ≥ 0, got ${weight}`,
      );
    }
    sum += weight;
  }
  if (sum <= 0) {
    throw new ClosedloopError('CL_ERR_MODEL_OPTION', `${model}: at least one weight must be > 0`);
  }
}

export function anchoredModel(name: string, anchors: AnchorWeights): AttributionModel {
  validateAnchorWeights(name, anchors);
  const { first, last, lead, deal, won } = anchors;
  const middle = anchors.middle ?? 0;
  let isAnchor = new Uint8Array(64);
  return new TouchWeightModel(name, (batch, j, _start, n, w) => {
    if (n > isAnchor.length) isAnchor = new Uint8Array(n * 2);
    w.fill(0, 0, n);
    isAnchor.fill(0, 0, n);
    const place = (position: number, weight: number | undefined) => {
      if (weight === undefined || position < 0 || position >= n) return;
      w[position] += weight;
      isAnchor[position] = 1;
    };
    place(0, first);
    place(n - 1, last);
    place(batch.leadTouch[j], lead);
    place(batch.dealTouch[j], deal);
    place(batch.wonTouch[j], won);
    let middleCount = 0;
    for (let i = 0; i < n; i++) if (isAnchor[i] === 0) middleCount++;
    if (middleCount > 0 && middle > 0) {
      const share = middle / middleCount;
      for (let i = 0; i < n; i++) if (isAnchor[i] === 0) w[i] = share;
    }
    let sum = 0;
    for (let i = 0; i < n; i++) sum += w[i];
    // Every group this journey has weighs 0 (custom weights, or position with first and last 0
    // on one or two touches): equal shares, so the journey's credit still sums to its conversions.
    if (sum === 0) {
      w.fill(1 / n, 0, n);
      return;
    }
    for (let i = 0; i < n; i++) w[i] /= sum;
  });
}

export const positionWeights = { first: 0.4, middle: 0.2, last: 0.4 };
export const wShapedWeights = { first: 0.3, lead: 0.3, deal: 0.3, middle: 0.1 };
export const fullPathWeights = { first: 0.225, lead: 0.225, deal: 0.225, won: 0.225, middle: 0.1 };
export const jShapedWeights = { first: 0.2, middle: 0.2, last: 0.6 };
export const inverseJWeights = { first: 0.6, middle: 0.2, last: 0.2 };
