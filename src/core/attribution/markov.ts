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
 * effect is 1 − P(conversion | its states lead to null) ÷ P(conversion). Conversions are shared
 * out in proportion to the removal effects.
 *
 * Value is shared out in proportion to value removal effects, as ChannelAttribution's
 * `removal_effects_conversion_value`: the same chain, but a walk that exits from a state earns
 * the value that paths ending there brought per exit, and the effect is 1 − E[value | the
 * channel's states lead to null] ÷ E[value]. ChannelAttribution estimates this by simulation
 * (a converting walk draws a value per conversion from the paths that ended in its last state);
 * this is its exact expectation.
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
  let valueAtEnd: Float64Array = new Float64Array(64);
  let totalConversions = 0;
  let totalValue = 0;
  let channelCount = 0;
  // Value that came with paths that never converted, split evenly over each path's channels.
  let strandedValue: Float64Array = new Float64Array(0);

  const stateOf = (key: number): number => {
    let id = stateIds.get(key);
    if (id === undefined) {
      id = stateKeys.length;
      stateIds.set(key, id);
      stateKeys.push(key);
      if (id >= toConversion.length) {
        toConversion = growTo(toConversion, id + 1);
        toNull = growTo(toNull, id + 1);
        valueAtEnd = growTo(valueAtEnd, id + 1);
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
        if (conv === 0 && value[j] !== 0 && end > start) {
          if (strandedValue.length < channelCount)
            strandedValue = growTo(strandedValue, channelCount);
          const channels = new Set(touchChannel.subarray(start, end));
          for (const channel of channels) strandedValue[channel] += value[j] / channels.size;
        }
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
        // As ChannelAttribution: only converting paths bring value a walk can earn.
        if (conv > 0) valueAtEnd[state] += value[j];
      }
    },
    solve(): ModelCredits {
      const chain = buildChain(stateKeys.length, transitions, toConversion, toNull, valueAtEnd);
      // Value earned on exit is a second right-hand side of the same chain; none when no value.
      const rewards =
        totalValue > 0 ? [chain.toConversion, chain.valuePerExit] : [chain.toConversion];
      const removed = new Uint8Array(stateKeys.length);
      const baseline = absorptionFromStart(chain, removed, rewards, solver);
      const removalEffects = new Float64Array(channelCount);
      const valueEffects = new Float64Array(channelCount);
      for (let channel = 0; channel < channelCount; channel++) {
        const code = channel + 1;
        let any = false;
        for (let s = 0; s < stateKeys.length; s++) {
          const hit = stateContains(stateKeys[s], code, order, base);
          removed[s] = hit ? 1 : 0;
          any ||= hit;
        }
        if (!any) continue;
        const without = absorptionFromStart(chain, removed, rewards, solver);
        if (baseline[0] > 0) removalEffects[channel] = 1 - without[0] / baseline[0];
        if (rewards.length > 1 && baseline[1] > 0)
          valueEffects[channel] = 1 - without[1] / baseline[1];
      }
      const credited = new Float64Array(channelCount);
      const creditedValue = new Float64Array(channelCount);
      shareOut(totalConversions, removalEffects, credited);
      // Value no walk can earn (it came only with paths that did not convert) is still credited
      // in full, in the conversions' shares.
      if (
        !shareOut(totalValue, valueEffects, creditedValue) &&
        !shareOut(totalValue, removalEffects, creditedValue)
      ) {
        // Nothing converted at all: the value goes to the channels of the paths that brought it.
        creditedValue.set(strandedValue.subarray(0, channelCount));
      }
      return { conversions: credited, value: creditedValue, removalEffects };
    },
  };
}

/** Writes `total` split in proportion to `effects` into `into`; false when they sum to 0. */
function shareOut(total: number, effects: Float64Array, into: Float64Array): boolean {
  let sum = 0;
  for (const effect of effects) sum += effect;
  if (!(sum > 0)) return false;
  for (let channel = 0; channel < effects.length; channel++) {
    into[channel] = total * (effects[channel] / sum);
  }
  return true;
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
  /** Per state: value of the paths that ended there ÷ walks leaving it (expected value earned). */
  readonly valuePerExit: Float64Array;
}

function buildChain(
  size: number,
  transitions: Map<number, number>,
  toConversion: Float64Array,
  toNull: Float64Array,
  valueAtEnd: Float64Array,
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
  const valuePerExit = new Float64Array(size);
  for (let s = 0; s < size; s++) {
    if (outWeight[s] === 0) continue;
    conversionProbability[s] = toConversion[s] / outWeight[s];
    valuePerExit[s] = valueAtEnd[s] / outWeight[s];
  }
  return { size, rowStart, target, probability, toConversion: conversionProbability, valuePerExit };
}

const denseLimit = 400;

/**
 * Per reward vector r (earned on leaving a state for an exit), the expected reward of a walk from
 * the start state when the `removed` states lead to null: with r = P(converting next), that is
 * P(conversion). Small chains are solved by Gaussian elimination, every r at once; large ones by
 * Gauss–Seidel run until the iterates stop changing in double precision, which converges because
 * every state can reach an exit.
 */
function absorptionFromStart(
  chain: Chain,
  removed: Uint8Array,
  rewards: readonly Float64Array[],
  solver: 'auto' | 'dense' | 'iterative',
): number[] {
  const dense = solver === 'dense' || (solver === 'auto' && chain.size <= denseLimit);
  if (dense) return solveDense(chain, removed, rewards);
  return rewards.map((reward) => solveIterative(chain, removed, reward));
}

function solveDense(chain: Chain, removed: Uint8Array, rewards: readonly Float64Array[]): number[] {
  const n = chain.size;
  const m = rewards.length;
  // Rows of (I − Q | r…): x_s − Σ q_st x_t = r_s; removed states have x_s = 0.
  const width = n + m;
  const a = new Float64Array(n * width);
  for (let s = 0; s < n; s++) {
    a[s * width + s] = 1;
    if (removed[s] === 1) continue;
    for (let k = chain.rowStart[s]; k < chain.rowStart[s + 1]; k++) {
      const t = chain.target[k];
      if (removed[t] === 0) a[s * width + t] -= chain.probability[k];
    }
    for (let r = 0; r < m; r++) a[s * width + n + r] = rewards[r][s];
  }
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) {
      if (Math.abs(a[row * width + col]) > Math.abs(a[pivot * width + col])) pivot = row;
    }
    if (pivot !== col) {
      for (let k = col; k < width; k++) {
        const swap = a[col * width + k];
        a[col * width + k] = a[pivot * width + k];
        a[pivot * width + k] = swap;
      }
    }
    const diagonal = a[col * width + col];
    for (let row = col + 1; row < n; row++) {
      const factor = a[row * width + col] / diagonal;
      if (factor === 0) continue;
      for (let k = col; k < width; k++) a[row * width + k] -= factor * a[col * width + k];
    }
  }
  const x = new Float64Array(n);
  return rewards.map((_, r) => {
    for (let row = n - 1; row >= 0; row--) {
      let sum = a[row * width + n + r];
      for (let k = row + 1; k < n; k++) sum -= a[row * width + k] * x[k];
      x[row] = sum / a[row * width + row];
    }
    return x[0];
  });
}

function solveIterative(chain: Chain, removed: Uint8Array, reward: Float64Array): number {
  const x = new Float64Array(chain.size);
  // Relative, so that a reward in large units (value) stops at the same precision as a probability.
  let scale = 0;
  for (const r of reward) scale = Math.max(scale, r);
  for (let sweep = 0; sweep < 1_000_000; sweep++) {
    let change = 0;
    for (let s = chain.size - 1; s >= 0; s--) {
      if (removed[s] === 1) continue;
      let next = reward[s];
      for (let k = chain.rowStart[s]; k < chain.rowStart[s + 1]; k++) {
        next += chain.probability[k] * x[chain.target[k]];
      }
      change = Math.max(change, Math.abs(next - x[s]));
      x[s] = next;
    }
    if (change <= 1e-16 * Math.max(1, scale)) return x[0];
  }
  throw new ClosedloopError('CL_ERR_INTERNAL', 'markov: the chain did not converge');
}
