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
 * The candidates the inner backtest chooses between: how recent the hazards and the run-rate are.
 * The calendar effect is not a candidate: it is learned with shrinkage whenever it can be; the
 * spread is measured, not chosen.
 */
export const candidateSettings: readonly ModelSettings[] = [3, 6].flatMap((runRateMonths) =>
  [6, null].flatMap((hazardWindowMonths) =>
    [true, false].map((bySegment) => ({
      ...defaultSettings,
      runRateMonths,
      hazardWindowMonths,
      bySegment,
    })),
  ),
);
