/**
 * Kaplan–Meier estimate of the time to win. Every deal with a creation date is one observation:
 * a won deal is an event at its days to close; a lost deal is censored at its days to close (it
 * left the risk set without winning); an open deal is censored at the as-of date. Unlike the
 * median time to close of won deals, it does not ignore the deals still open. Note that censoring
 * lost deals treats them as if they might still have won later (no competing risk): the estimate
 * answers "how long does winning take", not "how likely is a win".
 */

export interface Observation {
  /** Days from creation to the win, the loss or the as-of date. */
  readonly days: number;
  readonly won: boolean;
}

/**
 * The median time to win: the first time at which the survival estimate S(t) (the share not yet
 * won) falls to 0.5 or below; when S is exactly 0.5 up to the next win, the mean of the two times,
 * so that without censoring it is the ordinary median. Null when S never reaches 0.5.
 */
export function kaplanMeierMedian(observations: readonly Observation[]): number | null {
  // At equal times, wins come before censorings: a deal censored at t was still at risk at t.
  const sorted = [...observations].sort((a, b) => a.days - b.days || Number(b.won) - Number(a.won));
  let atRisk = sorted.length;
  let survival = 1;
  let i = 0;
  while (i < sorted.length) {
    const days = sorted[i].days;
    let wins = 0;
    let leaving = 0;
    for (; i < sorted.length && sorted[i].days === days; i++, leaving++) {
      if (sorted[i].won) wins++;
    }
    if (wins > 0) {
      survival *= 1 - wins / atRisk;
      if (Math.abs(survival - 0.5) < 1e-12) return midpointWithNextWin(sorted, i, days);
      if (survival < 0.5) return days;
    }
    atRisk -= leaving;
  }
  return null;
}

function midpointWithNextWin(sorted: readonly Observation[], from: number, days: number): number {
  for (let i = from; i < sorted.length; i++) {
    if (sorted[i].won) return (days + sorted[i].days) / 2;
  }
  return days;
}
