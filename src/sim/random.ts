import { Mulberry32 } from '../core/mulberry32.js';

/**
 * A small seeded generator (mulberry32) with the draws the simulator needs. Each visitor gets a
 * stream of its own, derived from the world seed and its index, so that switching a channel off
 * for one visitor never shifts the draws of another: re-simulations compare like with like.
 */
export class Random extends Mulberry32 {
  /** The stream of item `index` under `seed`. */
  static stream(seed: number, index: number, salt = 0): Random {
    return new Random(mix(mix(seed ^ 0x9e3779b9) ^ Math.imul(index + 1, 0x85ebca6b) ^ salt));
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Index drawn in proportion to `weights` (cumulative sums given, last = total). */
  weighted(cumulative: readonly number[]): number {
    const r = this.next() * (cumulative[cumulative.length - 1] ?? 0);
    for (let i = 0; i < cumulative.length; i++) if (r < (cumulative[i] ?? 0)) return i;
    return cumulative.length - 1;
  }

  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  normal(): number {
    // Box–Muller; 1 − u keeps the logarithm finite.
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and log-scale spread. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Hex id of `bytes` random bytes. */
  hex(bytes: number): string {
    let out = '';
    for (let i = 0; i < bytes; i++) out += this.int(0, 255).toString(16).padStart(2, '0');
    return out;
  }
}

function mix(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function cumulativeOf(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((weight) => {
    sum += weight;
    return sum;
  });
}
