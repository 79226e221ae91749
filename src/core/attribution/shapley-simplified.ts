import type { JourneyBatch } from '../journey-batch.js';
import { type AttributionModel, ChannelTotals, type ModelCredits } from './model.js';

export interface ShapleySimplifiedOptions {
  /**
   * The two primes (below 2^26) the path hashes are taken modulo. Tests pass tiny ones so that
   * every path collides, to show a collision never changes an answer.
   */
  readonly hashPrimes?: readonly [number, number];
}

interface PathCounts {
  readonly channels: readonly number[];
  conversions: number;
  nulls: number;
  value: number;
}

const keyOf = (channels: readonly number[]) => channels.join('>');

// Below 2^26, so a product of two residues stays exact in a double.
const defaultPrimes = [67_108_859, 67_108_837] as const;
const bases = [131_071, 524_287] as const;

/**
 * google/fractribution's simplified Shapley: for each touch position of a converting path, the
 * counterfactual is the same path without that position (repeats kept). Its marginal value is
 * max(0, rate(path) − rate(counterfactual)), where a rate is conversions ÷ (conversions + nulls)
 * of that exact path, 0 for a path never seen. Marginals are scaled to the path's conversions
 * (and value); when all are 0 the last touch takes the credit.
 *
 * Counterfactuals are found by polynomial hash, each built in O(1) from prefix and suffix
 * hashes, then confirmed touch by touch, so a collision costs time but never changes a credit:
 * O(n) for a path of n touches, plus O(n) for each of its counterfactuals that was seen.
 */
export function shapleySimplifiedModel(options: ShapleySimplifiedOptions = {}): AttributionModel {
  const [p1, p2] = options.hashPrimes ?? defaultPrimes;
  const paths = new Map<string, PathCounts>();
  let channelCount = 0;
  return {
    name: 'shapley_simplified',
    accumulate(batch: JourneyBatch) {
      channelCount = batch.dictionaries.channels.size;
      countPaths(batch, paths);
    },
    solve(): ModelCredits {
      const totals = new ChannelTotals();
      totals.reserve(channelCount);
      const shares = sharesOfPaths(p1, p2, paths);
      for (const path of paths.values()) {
        if (path.conversions === 0 && path.value === 0) continue;
        const split = shares(path.channels, path);
        for (let i = 0; i < split.length; i++) {
          const share = split[i];
          if (share > 0) totals.add(path.channels[i], path.conversions * share, path.value * share);
        }
      }
      return totals.result(channelCount);
    },
  };
}

/**
 * The model's split of a journey of `batch` among its touches, with the path rates of the whole
 * batch: what one deal's journey is credited, for breakdowns that follow single journeys.
 */
export function simplifiedShapleyShares(
  batch: JourneyBatch,
  options: ShapleySimplifiedOptions = {},
): (channels: readonly number[]) => Float64Array {
  const [p1, p2] = options.hashPrimes ?? defaultPrimes;
  const paths = new Map<string, PathCounts>();
  countPaths(batch, paths);
  return sharesOfPaths(p1, p2, paths);
}

/** Adds the batch's journeys to the counts of their exact paths. */
function countPaths(batch: JourneyBatch, paths: Map<string, PathCounts>): void {
  const { touchOffsets, touchChannel, conversions, value, nulls } = batch;
  for (let j = 0; j < batch.journeyCount; j++) {
    const start = touchOffsets[j];
    const end = touchOffsets[j + 1];
    if (end === start) continue;
    const channels = Array.from(touchChannel.subarray(start, end));
    const key = keyOf(channels);
    let counts = paths.get(key);
    if (counts === undefined) {
      counts = { channels, conversions: 0, nulls: 0, value: 0 };
      paths.set(key, counts);
    }
    counts.conversions += conversions[j];
    counts.nulls += nulls[j];
    counts.value += value[j];
  }
}

/** Each touch's share of a path's credit (summing to 1), given the rates of the paths seen. */
function sharesOfPaths(
  p1: number,
  p2: number,
  paths: ReadonlyMap<string, PathCounts>,
): (channels: readonly number[], counts?: PathCounts) => Float64Array {
  const rateOf = (counts: PathCounts | undefined) => {
    if (counts === undefined) return 0;
    const seen = counts.conversions + counts.nulls;
    return seen > 0 ? counts.conversions / seen : 0;
  };
  const hashing = new PathHashing(p1, p2, paths.values());
  return (channels, counts = paths.get(keyOf(channels))) => {
    const rate = rateOf(counts);
    const n = channels.length;
    hashing.prepare(channels);
    const marginals = new Float64Array(n);
    let sum = 0;
    let rateWithout = 0;
    for (let i = 0; i < n; i++) {
      // Dropping any touch of a run of one channel leaves the same path: look it up once.
      if (i === 0 || channels[i] !== channels[i - 1]) {
        rateWithout = rateOf(hashing.pathWithout(channels, i));
      }
      const marginal = Math.max(0, rate - rateWithout);
      marginals[i] = marginal;
      sum += marginal;
    }
    if (sum === 0) {
      // No touch made a difference: the last one takes the credit.
      marginals.fill(0);
      if (n > 0) marginals[n - 1] = 1;
      return marginals;
    }
    for (let i = 0; i < n; i++) marginals[i] /= sum;
    return marginals;
  };
}

/**
 * Every seen path under the hash of its channels (codes channel + 1, base `bases`, two primes),
 * and the prefix and suffix hashes of one path at a time, from which the hash of that path
 * without any one position follows in O(1).
 */
class PathHashing {
  readonly #byHash = new Map<number, PathCounts | PathCounts[]>();
  readonly #b1: number;
  readonly #b2: number;
  readonly #pow1: Float64Array;
  readonly #pow2: Float64Array;
  readonly #prefix1: Float64Array;
  readonly #prefix2: Float64Array;
  readonly #suffix1: Float64Array;
  readonly #suffix2: Float64Array;

  constructor(
    private readonly p1: number,
    private readonly p2: number,
    paths: Iterable<PathCounts>,
  ) {
    this.#b1 = bases[0] % p1;
    this.#b2 = bases[1] % p2;
    let longest = 0;
    for (const path of paths) {
      longest = Math.max(longest, path.channels.length);
      const hash = this.#hashOf(path.channels);
      const bucket = this.#byHash.get(hash);
      // Hashes rarely collide: a lone path is stored as itself, not in an array of one.
      if (bucket === undefined) this.#byHash.set(hash, path);
      else if (Array.isArray(bucket)) bucket.push(path);
      else this.#byHash.set(hash, [bucket, path]);
    }
    this.#pow1 = new Float64Array(longest + 1);
    this.#pow2 = new Float64Array(longest + 1);
    this.#pow1[0] = 1 % p1;
    this.#pow2[0] = 1 % p2;
    for (let k = 1; k <= longest; k++) {
      this.#pow1[k] = (this.#pow1[k - 1] * this.#b1) % p1;
      this.#pow2[k] = (this.#pow2[k - 1] * this.#b2) % p2;
    }
    this.#prefix1 = new Float64Array(longest + 1);
    this.#prefix2 = new Float64Array(longest + 1);
    this.#suffix1 = new Float64Array(longest + 1);
    this.#suffix2 = new Float64Array(longest + 1);
  }

  /** Σ code_k · base^(n−1−k) modulo each prime, packed into one exact integer. */
  #hashOf(channels: readonly number[]): number {
    let h1 = 0;
    let h2 = 0;
    for (const channel of channels) {
      h1 = (h1 * this.#b1 + ((channel + 1) % this.p1)) % this.p1;
      h2 = (h2 * this.#b2 + ((channel + 1) % this.p2)) % this.p2;
    }
    return h1 * this.p2 + h2;
  }

  /** Fills the prefix and suffix hashes of `channels` for `pathWithout`. */
  prepare(channels: readonly number[]): void {
    const { p1, p2 } = this;
    const n = channels.length;
    this.#prefix1[0] = 0;
    this.#prefix2[0] = 0;
    for (let k = 0; k < n; k++) {
      this.#prefix1[k + 1] = (this.#prefix1[k] * this.#b1 + ((channels[k] + 1) % p1)) % p1;
      this.#prefix2[k + 1] = (this.#prefix2[k] * this.#b2 + ((channels[k] + 1) % p2)) % p2;
    }
    this.#suffix1[n] = 0;
    this.#suffix2[n] = 0;
    for (let k = n - 1; k >= 0; k--) {
      const weight1 = (((channels[k] + 1) % p1) * this.#pow1[n - 1 - k]) % p1;
      const weight2 = (((channels[k] + 1) % p2) * this.#pow2[n - 1 - k]) % p2;
      this.#suffix1[k] = (weight1 + this.#suffix1[k + 1]) % p1;
      this.#suffix2[k] = (weight2 + this.#suffix2[k + 1]) % p2;
    }
  }

  /** The seen path equal to the prepared `channels` without position `skip`, if any. */
  pathWithout(channels: readonly number[], skip: number): PathCounts | undefined {
    const { p1, p2 } = this;
    const shift = channels.length - 1 - skip;
    const h1 = (((this.#prefix1[skip] * this.#pow1[shift]) % p1) + this.#suffix1[skip + 1]) % p1;
    const h2 = (((this.#prefix2[skip] * this.#pow2[shift]) % p2) + this.#suffix2[skip + 1]) % p2;
    const bucket = this.#byHash.get(h1 * p2 + h2);
    if (bucket === undefined) return undefined;
    for (const candidate of Array.isArray(bucket) ? bucket : [bucket]) {
      if (isPathWithout(candidate.channels, channels, skip)) return candidate;
    }
    return undefined;
  }
}

function isPathWithout(candidate: readonly number[], channels: readonly number[], skip: number) {
  if (candidate.length !== channels.length - 1) return false;
  for (let k = 0; k < skip; k++) if (candidate[k] !== channels[k]) return false;
  for (let k = skip; k < candidate.length; k++) if (candidate[k] !== channels[k + 1]) return false;
  return true;
}
