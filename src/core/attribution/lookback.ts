import { ClosedloopError } from '../errors.js';
import { type JourneyBatch, JourneyBatchBuilder } from '../journey-batch.js';

export interface Lookback {
  /** Keep touches at most this many days before the conversion (the last touch if none). */
  readonly days?: number;
  /** Keep at most this many touches, the most recent. */
  readonly steps?: number;
}

/** The channel that takes a conversion none of whose touches falls inside the window. */
export const noTouchChannel = 'Direct';

const dayMs = 86_400_000;

export function validateLookback(lookback: Lookback): void {
  for (const [name, limit] of Object.entries(lookback)) {
    if (limit === undefined) continue;
    if (!(typeof limit === 'number' && limit > 0 && Number.isFinite(limit))) {
      throw new ClosedloopError(
        'CL_ERR_MODEL_OPTION',
        `lookback ${name}: expected a positive number, got ${limit}`,
      );
    }
    if (name === 'steps' && !Number.isInteger(limit)) {
      throw new ClosedloopError(
        'CL_ERR_MODEL_OPTION',
        `lookback steps: expected a whole number, got ${limit}`,
      );
    }
  }
}

/**
 * Drops the touches outside the lookback window of each journey. A converting journey left with
 * no touch gets one Direct touch at its conversion time, so that every conversion stays credited.
 */
export function applyLookback(batch: JourneyBatch, lookback: Lookback): JourneyBatch {
  validateLookback(lookback);
  if (lookback.days === undefined && lookback.steps === undefined) return batch;
  const times = batch.touchTime;
  if (lookback.days !== undefined && times === null) {
    throw new ClosedloopError(
      'CL_ERR_MODEL_INPUT',
      'lookback days: needs touch timestamps; path-level input has none (use --lookback-steps)',
    );
  }
  const windowMs = (lookback.days ?? Number.POSITIVE_INFINITY) * dayMs;
  const steps = lookback.steps ?? Number.POSITIVE_INFINITY;
  const builder = new JourneyBatchBuilder({
    withTimes: times !== null,
    withAttributes: batch.touchSource !== null,
    dictionaries: batch.dictionaries,
  });
  const attribute = (a: Int32Array | null, t: number) => (a === null ? -1 : a[t]);
  for (let j = 0; j < batch.journeyCount; j++) {
    const start = batch.touchOffsets[j];
    const end = batch.touchOffsets[j + 1];
    const convAt = batch.conversionTime?.[j] ?? Number.NaN;
    const anchor = Number.isNaN(convAt) && times !== null ? times[end - 1] : convAt;
    let first = Math.max(start, end - steps);
    if (times !== null && Number.isFinite(windowMs)) {
      while (first < end && anchor - times[first] > windowMs) first++;
    }
    const kept = end - first;
    if (kept === 0 && batch.conversions[j] + batch.value[j] > 0) {
      builder.addTouch(batch.dictionaries.channels.intern(noTouchChannel), anchor);
    }
    for (let t = first; t < end; t++) {
      builder.addTouch(
        batch.touchChannel[t],
        times === null ? Number.NaN : times[t],
        attribute(batch.touchSource, t),
        attribute(batch.touchMedium, t),
        attribute(batch.touchCampaign, t),
      );
    }
    const shift = (position: number) => {
      const kept = position - (first - start);
      return position < 0 || kept < 0 ? -1 : kept;
    };
    builder.endJourney(
      batch.conversions[j],
      batch.value[j],
      batch.nulls[j],
      convAt,
      shift(batch.leadTouch[j]),
      shift(batch.dealTouch[j]),
      shift(batch.wonTouch[j]),
    );
  }
  return builder.build();
}
