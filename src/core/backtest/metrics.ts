/**
 * Forecast errors over (as-of, month) pairs with a complete actual: WAPE = Σ|F − A| ÷ ΣA; bias =
 * Σ(F − A) ÷ ΣA (signed: + over-forecasts); MAPE = mean of |F − A| ÷ A over pairs with A ≠ 0;
 * coverage80 = share of actuals within [P10, P90] (null for forecasts without a band). Null
 * wherever the denominator is empty.
 */
export interface Metrics {
  readonly wape: number | null;
  readonly mape: number | null;
  readonly bias: number | null;
  readonly coverage80: number | null;
}

export interface Scored {
  readonly actual: number;
  readonly forecast: number;
  readonly band?: { readonly p10: number; readonly p90: number };
}

export function metricsOf(pairs: readonly Scored[]): Metrics {
  let errors = 0;
  let signed = 0;
  let actuals = 0;
  let percentages = 0;
  let nonZero = 0;
  let covered = 0;
  let banded = 0;
  for (const { actual, forecast, band } of pairs) {
    errors += Math.abs(forecast - actual);
    signed += forecast - actual;
    actuals += actual;
    if (actual !== 0) {
      percentages += Math.abs(forecast - actual) / Math.abs(actual);
      nonZero++;
    }
    if (band !== undefined) {
      banded++;
      if (actual >= band.p10 && actual <= band.p90) covered++;
    }
  }
  return {
    wape: actuals !== 0 ? errors / actuals : null,
    mape: nonZero > 0 ? percentages / nonZero : null,
    bias: actuals !== 0 ? signed / actuals : null,
    coverage80: banded > 0 ? covered / banded : null,
  };
}

export const noMetrics: Metrics = { wape: null, mape: null, bias: null, coverage80: null };
