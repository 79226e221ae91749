/**
 * mulberry32: a tiny, fast 32-bit seeded generator, good enough for simulation and Monte Carlo
 * (not for anything secret). The simulator and the forecast extend it with the draws they need.
 */
export class Mulberry32 {
  #state: number;

  constructor(state: number) {
    this.#state = state >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) | 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
}
