import { Mulberry32 } from '../mulberry32.js';

/**
 * The Monte Carlo's seeded generator (mulberry32) and the few distributions it draws from. Fast
 * approximations are used only where they are indistinguishable at the sizes they serve: the
 * normal approximation for binomial and Poisson counts with a large mean.
 */

/** Means from which counts are drawn by the normal approximation instead of exact inversion. */
const largeMean = 40;

export class SeededRandom extends Mulberry32 {
  #spareNormal = Number.NaN;

  constructor(seed: number) {
    super(seed ^ 0x2545f491);
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.#spareNormal)) {
      const spare = this.#spareNormal;
      this.#spareNormal = Number.NaN;
      return spare;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    const angle = 2 * Math.PI * this.next();
    this.#spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Gamma with the given shape and scale 1 (Marsaglia and Tsang). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * this.next() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const v = (1 + c * x) ** 3;
      if (v <= 0) continue;
      const u = this.next();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean >= largeMean) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    // Inversion: walk up the cumulative distribution from P(0) = e^(−mean).
    let k = 0;
    let probability = Math.exp(-mean);
    let cumulative = probability;
    const u = this.next();
    while (u > cumulative && probability > 0) {
      k++;
      probability *= mean / k;
      cumulative += probability;
    }
    return k;
  }

  /** Binomial(n, p), exact by inversion unless n·p and n·(1 − p) are both large. */
  binomial(n: number, p: number): number {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - this.binomial(n, 1 - p);
    const mean = n * p;
    if (mean >= largeMean) {
      const draw = Math.round(mean + Math.sqrt(mean * (1 - p)) * this.normal());
      return Math.min(n, Math.max(0, draw));
    }
    // Inversion: P(k + 1) = P(k) · (n − k)/(k + 1) · p/(1 − p).
    const odds = p / (1 - p);
    let probability = Math.exp(n * Math.log1p(-p));
    let cumulative = probability;
    let k = 0;
    const u = this.next();
    while (u > cumulative && k < n) {
      probability *= ((n - k) / (k + 1)) * odds;
      k++;
      cumulative += probability;
    }
    return k;
  }
}
