import { ClosedloopError } from '../errors.js';
import type { JourneyBatch } from '../journey-batch.js';
import type { AttributionModel, ModelCredits } from './model.js';

export interface MarkovOptions {
  /** How many of the last channels make a state: 1 to 4. */
  readonly order?: number;
  /** Weigh transitions by conversions + nulls and send the nulls to the null state. */
  readonly useNulls?: boolean;
  /** How to solve the chain; `auto` picks elimination for small chains. Tests compare the two. */
  readonly solver?: 'auto' | 'dense' | 'iterative';
}

const startCode = 0;
const transitionStride = 2 ** 26;

/**
 * Markov-chain removal effect, solved exactly. Back-to-back repeats of a channel are merged, a
 * state is the last `order` channels (padded with the start state), and each channel's removal
 * effect is 1 − P(conversion | its states lead to null) ÷ P(conversion). Conversions and value
 * are shared out in proportion to the removal effects.
 */
export function markovModel(options: MarkovOptions = {}): AttributionModel {
  const order = options.order ?? 1;
  const useNulls = options.useNulls ?? true;
  const solver = options.solver ?? 'auto';
  if (!Number.isInteger(order) || order < 1 || order > 4) {
    throw new ClosedloopError('CL_ERR_MODEL_OPTION', `order: expected 1, 2, 3 or 4, got ${order}`);
  }
  // A state's key packs its channel codes (channel id + 1; 0 = start) in base 2^bits, exactly.
  const bits = Math.floor(52 / order);
  const base = 2 ** bits;
  const keep = base ** (order - 1);
  const stateIds = new Map<number, number>();
  const stateKeys: number[] = [];
  const transitions = new Map<number, number>();
  let toConversion: Float64Array = new Float64Array(64);
  let toNull: Float64Array = new Float64Array(64);
  let totalConversions = 0;
  let totalValue = 0;
  let channelCount = 0;

  const stateOf = (key: number): number => {
    let id = stateIds.get(key);
    if (id === undefined) {
      id = stateKeys.length;
      stateIds.set(key, id);
      stateKeys.push(key);
      if (id >= toConversion.length) {
        toConversion = growTo(toConversion, id + 1);
        toNull = growTo(toNull, id + 1);
      }
    }
    return id;
  };
  stateOf(startCode);

  return {
    name: 'markov',
    accumulate(batch: JourneyBatch) {
      channelCount = batch.dictionaries.channels.size;
      if (channelCount + 1 >= base) {
        throw new ClosedloopError(
          'CL_ERR_MODEL_INPUT',
          `markov: order ${order} handles at most ${base - 2} channels, the input has ${channelCount}`,
        );
      }
      const { touchOffsets, touchChannel, conversions, value, nulls } = batch;
      for (let j = 0; j < batch.journeyCount; j++) {
        const conv = conversions[j];
        const nul = useNulls ? nulls[j] : 0;
        const weight = conv + nul;
        const start = touchOffsets[j];
        const end = touchOffsets[j + 1];
        totalConversions += conv;
        totalValue += value[j];
        if (weight === 0 || end === start) continue;
        let key = startCode;
        let state = 0;
        let previousChannel = -1;
        for (let t = start; t < end; t++) {
          const channel = touchChannel[t];
          if (channel === previousChannel) continue;
          previousChannel = channel;
          key = (key % keep) * base + channel + 1;
          const next = stateOf(key);
          const edge = state * transitionStride + next;
          transitions.set(edge, (transitions.get(edge) ?? 0) + weight);
          state = next;
        }
        toConversion[state] += conv;
        toNull[state] += nul;
      }
    },
    solve(): ModelCredits {
      const chain = buildChain(stateKeys.length, transitions, toConversion, toNull);
      const removed = new Uint8Array(stateKeys.length);
      const baseline = absorptionFromStart(chain, removed, solver);
      const removalEffects = new Float64Array(channelCount);
      for (let channel = 0; channel < channelCount; channel++) {
        const code = channel + 1;
        let any = false;
        for (let s = 0; s < stateKeys.length; s++) {
          const hit = stateContains(stateKeys[s], code, order, base);
          removed[s] = hit ? 1 : 0;
          any ||= hit;
        }
        if (!any || baseline === 0) continue;
        removalEffects[channel] = 1 - absorptionFromStart(chain, removed, solver) / baseline;
      }
      let sumEffects = 0;
      for (const effect of removalEffects) sumEffects += effect;
      const credited = new Float64Array(channelCount);
      const creditedValue = new Float64Array(channelCount);
      if (sumEffects > 0) {
        for (let channel = 0; channel < channelCount; channel++) {
          const share = removalEffects[channel] / sumEffects;
          credited[channel] = totalConversions * share;
          creditedValue[channel] = totalValue * share;
        }
      }
      return { conversions: credited, value: creditedValue, removalEffects };
    },
  };
}

function stateContains(key: number, code: number, order: number, base: number): boolean {
  let rest = key;
  for (let i = 0; i < order; i++) {
    if (rest % base === code) return true;
    rest = Math.floor(rest / base);
  }
  return false;
}

function growTo(array: Float64Array, size: number): Float64Array {
  const bigger = new Float64Array(Math.max(size, array.length * 2));
  bigger.set(array);
  return bigger;
}

/** Transition probabilities between transient states in compressed rows, plus exits. */
interface Chain {
  readonly size: number;
  readonly rowStart: Uint32Array;
  readonly target: Uint32Array;
  readonly probability: Float64Array;
  /** Per state: probability of converting next. */
  readonly toConversion: Float64Array;
}

function buildChain(
  size: number,
  transitions: Map<number, number>,
  toConversion: Float64Array,
  toNull: Float64Array,
): Chain {
  const outWeight = new Float64Array(size);
  const rowCount = new Uint32Array(size + 1);
  for (const [edge, weight] of transitions) {
    const from = Math.floor(edge / transitionStride);
    outWeight[from] += weight;
    rowCount[from + 1]++;
  }
  for (let s = 0; s < size; s++) {
    outWeight[s] += toConversion[s] + toNull[s];
    rowCount[s + 1] += rowCount[s];
  }
  const rowStart = rowCount.slice();
  const fill = rowCount.slice(0, size);
  const target = new Uint32Array(transitions.size);
  const probability = new Float64Array(transitions.size);
  for (const [edge, weight] of transitions) {
    const from = Math.floor(edge / transitionStride);
    const at = fill[from]++;
    target[at] = edge - from * transitionStride;
    probability[at] = weight / outWeight[from];
  }
  const conversionProbability = new Float64Array(size);
  for (let s = 0; s < size; s++) {
    conversionProbability[s] = outWeight[s] > 0 ? toConversion[s] / outWeight[s] : 0;
  }
  return { size, rowStart, target, probability, toConversion: conversionProbability };
}

const denseLimit = 400;

/**
 * P(reaching conversion from the start state) when the `removed` states lead to null. Small
 * chains are solved by Gaussian elimination; large ones by Gauss–Seidel run until the iterates
 * stop changing in double precision, which converges because every state can reach an exit.
 */
function absorptionFromStart(
  chain: Chain,
  removed: Uint8Array,
  solver: 'auto' | 'dense' | 'iterative',
): number {
  const dense = solver === 'dense' || (solver === 'auto' && chain.size <= denseLimit);
  return dense ? solveDense(chain, removed) : solveIterative(chain, removed);
}

function solveDense(chain: Chain, removed: Uint8Array): number {
  const n = chain.size;
  // Rows of (I − Q | r): x_s − Σ q_st x_t = r_s; removed states have x_s = 0.
  const a = new Float64Array(n * (n + 1));
  const width = n + 1;
  for (let s = 0; s < n; s++) {
    a[s * width + s] = 1;
    if (removed[s] === 1) continue;
    for (let k = chain.rowStart[s]; k < chain.rowStart[s + 1]; k++) {
      const t = chain.target[k];
      if (removed[t] === 0) a[s * width + t] -= chain.probability[k];
    }
    a[s * width + n] = chain.toConversion[s];
  }
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) {
      if (Math.abs(a[row * width + col]) > Math.abs(a[pivot * width + col])) pivot = row;
    }
    if (pivot !== col) {
      for (let k = col; k <= n; k++) {
        const swap = a[col * width + k];
        a[col * width + k] = a[pivot * width + k];
        a[pivot * width + k] = swap;
      }
    }
    const diagonal = a[col * width + col];
    for (let row = col + 1; row < n; row++) {
      const factor = a[row * width + col] / diagonal;
      if (factor === 0) continue;
      for (let k = col; k <= n; k++) a[row * width + k] -= factor * a[col * width + k];
    }
  }
  const x = new Float64Array(n);
  for (let row = n - 1; row >= 0; row--) {
    let sum = a[row * width + n];
    for (let k = row + 1; k < n; k++) sum -= a[row * width + k] * x[k];
    x[row] = sum / a[row * width + row];
  }
  return x[0];
}

function solveIterative(chain: Chain, removed: Uint8Array): number {
  const x = new Float64Array(chain.size);
  for (let sweep = 0; sweep < 1_000_000; sweep++) {
    let change = 0;
    for (let s = chain.size - 1; s >= 0; s--) {
      if (removed[s] === 1) continue;
      let next = chain.toConversion[s];
      for (let k = chain.rowStart[s]; k < chain.rowStart[s + 1]; k++) {
        next += chain.probability[k] * x[chain.target[k]];
      }
      change = Math.max(change, Math.abs(next - x[s]));
      x[s] = next;
    }
    if (change <= 1e-16) return x[0];
  }
  throw new ClosedloopError('CL_ERR_INTERNAL', 'markov: the chain did not converge');
}
