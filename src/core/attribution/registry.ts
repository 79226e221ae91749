import { ClosedloopError } from '../errors.js';
import type { JourneyBatch } from '../journey-batch.js';
import { markovModel } from './markov.js';
import type { AttributionModel } from './model.js';
import {
  type AnchorWeights,
  anchoredModel,
  firstTouchModel,
  fullPathWeights,
  inverseJWeights,
  jShapedWeights,
  lastNonDirectModel,
  lastTouchModel,
  linearModel,
  positionWeights,
  timeDecayModel,
  wShapedWeights,
} from './rule-based.js';
import { shapleyModel } from './shapley.js';
import { shapleySimplifiedModel } from './shapley-simplified.js';

export const modelNames = [
  'first',
  'last',
  'last_non_direct',
  'linear',
  'time_decay',
  'position',
  'w_shaped',
  'full_path',
  'j_shaped',
  'inverse_j',
  'custom',
  'markov',
  'shapley',
  'shapley_simplified',
] as const;

export type ModelName = (typeof modelNames)[number];

export interface ModelOptions {
  readonly halfLifeDays?: number;
  /** Position-based (U) weights; the middle gets what first and last leave. */
  readonly positionFirst?: number;
  readonly positionLast?: number;
  readonly customWeights?: AnchorWeights;
  readonly markovOrder?: number;
  readonly useNulls?: boolean;
}

export function isModelName(name: string): name is ModelName {
  return (modelNames as readonly string[]).includes(name);
}

export function parseModelNames(list: string): ModelName[] {
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) {
    throw new ClosedloopError(
      'CL_ERR_UNKNOWN_MODEL',
      `models: expected one or more of ${modelNames.join(', ')}`,
    );
  }
  for (const name of names) {
    if (!isModelName(name)) {
      throw new ClosedloopError(
        'CL_ERR_UNKNOWN_MODEL',
        `models: unknown model "${name}"; expected one of ${modelNames.join(', ')}`,
      );
    }
  }
  return [...new Set(names)] as ModelName[];
}

export function createModel(name: ModelName, options: ModelOptions = {}): AttributionModel {
  switch (name) {
    case 'first':
      return firstTouchModel();
    case 'last':
      return lastTouchModel();
    case 'last_non_direct':
      return lastNonDirectModel();
    case 'linear':
      return linearModel();
    case 'time_decay':
      return timeDecayModel(options.halfLifeDays);
    case 'position': {
      const first = options.positionFirst ?? positionWeights.first;
      const last = options.positionLast ?? positionWeights.last;
      if (first + last > 1 + 1e-12) {
        throw new ClosedloopError(
          'CL_ERR_MODEL_OPTION',
          `position: first (${first}) and last (${last}) weights add up to more than 1`,
        );
      }
      return anchoredModel('position', { first, last, middle: Math.max(0, 1 - first - last) });
    }
    case 'w_shaped':
      return anchoredModel('w_shaped', wShapedWeights);
    case 'full_path':
      return anchoredModel('full_path', fullPathWeights);
    case 'j_shaped':
      return anchoredModel('j_shaped', jShapedWeights);
    case 'inverse_j':
      return anchoredModel('inverse_j', inverseJWeights);
    case 'custom':
      if (options.customWeights === undefined) {
        throw new ClosedloopError(
          'CL_ERR_MODEL_OPTION',
          'custom: needs weights, e.g. --weights first=0.5,middle=0.2,last=0.3',
        );
      }
      return anchoredModel('custom', options.customWeights);
    case 'markov':
      return markovModel({ order: options.markovOrder, useNulls: options.useNulls });
    case 'shapley':
      return shapleyModel();
    case 'shapley_simplified':
      return shapleySimplifiedModel();
  }
}

/** What an input can feed: times for time decay, milestones for W-shaped and full-path. */
export interface InputTraits {
  readonly hasTimes: boolean;
  readonly hasMilestones: boolean;
}

export function traitsOf(batch: JourneyBatch): InputTraits {
  return {
    hasTimes: batch.touchTime !== null,
    hasMilestones: batch.leadTouch.some((p) => p >= 0) || batch.dealTouch.some((p) => p >= 0),
  };
}

/** The models to run when none are named: every one the input can feed, custom if weighted. */
export function defaultModels(traits: InputTraits, options: ModelOptions = {}): ModelName[] {
  return modelNames.filter((name) => {
    if (name === 'time_decay') return traits.hasTimes;
    if (name === 'w_shaped' || name === 'full_path') return traits.hasMilestones;
    if (name === 'custom') return options.customWeights !== undefined;
    return true;
  });
}
