/**
 * Medians and percentiles. One definition throughout: linear interpolation between closest ranks
 * (Hyndman & Fan type 7 — R's and NumPy's default, Excel's PERCENTILE.INC). The p-quantile of n
 * sorted values sits at rank h = (n − 1)·p; so the median of an even count is the mean of the two
 * middle values.
 */

export interface Spread {
  readonly median: number | null;
  readonly p75: number | null;
  readonly p90: number | null;
  /** How many values (deals) it came from. */
  readonly n: number;
}

/** The p-quantile (0..1) of values sorted in ascending order; null for none. */
export function quantile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = (sorted.length - 1) * p;
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  return sorted[below] + (sorted[above] - sorted[below]) * (rank - below);
}

export function ascending(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

export function spreadOf(values: readonly number[]): Spread {
  const sorted = ascending(values);
  return {
    median: quantile(sorted, 0.5),
    p75: quantile(sorted, 0.75),
    p90: quantile(sorted, 0.9),
    n: sorted.length,
  };
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}
