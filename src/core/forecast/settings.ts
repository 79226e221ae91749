import type { TrailingWeight } from './blend.js';

/** The model's few free choices, picked per workspace by backtesting its own history. */
export interface ModelSettings {
  /** Complete months before as-of whose deal creations give the run-rate. */
  readonly runRateMonths: number;
  /** Month-of-year index on deal creation (used once there is a year of history). */
  readonly seasonality: boolean;
  /** Quarter-position effects on the close hazards (learned once closes cover a quarter). */
  readonly calendar: boolean;
  /**
   * Months of recent history the hazards are estimated from (every deal at risk then, whenever it
   * entered); null: all history.
   */
  readonly hazardWindowMonths: number | null;
  /** Hazards per segment where a segment has enough closes (big deals are often slow ones). */
  readonly bySegment: boolean;
  /**
   * Log-scale spread of the forecast's own errors beyond what the draws already vary, measured on
   * earlier months; each month's draws are multiplied by a log-normal factor with this spread.
   */
  readonly extraSpread: number;
  /**
   * Weight of the trailing average of won deals in the forecast's level, counts and revenue
   * apart (see blend.ts); default none.
   */
  readonly trailingWeight?: TrailingWeight;
}

export const defaultSettings: ModelSettings = {
  runRateMonths: 3,
  seasonality: true,
  calendar: true,
  hazardWindowMonths: null,
  bySegment: true,
  extraSpread: 0,
};

/**
 * The candidates the inner backtest chooses between: how recent the hazards and the run-rate are
 * (each then with its own trailing-average weight, see blend.ts). The calendar effect and the
 * segment hazards are not candidates: both are learned with shrinkage whenever they can be (a
 * segment with little history keeps the pooled hazards); the spread is measured, not chosen.
 */
export const candidateSettings: readonly ModelSettings[] = [3, 6].flatMap((runRateMonths) =>
  [6, null].flatMap((hazardWindowMonths) => ({
    ...defaultSettings,
    runRateMonths,
    hazardWindowMonths,
  })),
);
