import type { Pipeline, PipelineStage } from '../../core/deals.js';
import type { DealDraft } from '../../store/ports.js';
import { outcomeOfStage, phaseOfStage } from '../stage-words.js';

export interface StageHints {
  /** Open stages in funnel order as the format defines them. */
  readonly order?: readonly string[];
  /** The CRM's probability per stage (Salesforce), 0..1. */
  readonly probability?: ReadonlyMap<string, number>;
  /** The CRM's own position per stage (Salesforce `StageSortOrder`): breaks probability ties. */
  readonly sortOrder?: ReadonlyMap<string, number>;
  /** What the CRM says each stage does (Salesforce's IsClosed and IsWon), over its name. */
  readonly outcome?: ReadonlyMap<string, 'won' | 'lost' | 'open'>;
}

/**
 * A pipeline with every stage its deals mention. Stages already configured keep their place and
 * settings; new open stages are ordered by the format's own order, else by the CRM's
 * probabilities, else by where they fall in the deals' histories, and come before the closing
 * stages (told by their names, in several languages). Undefined when nothing is new.
 */
export function inferPipeline(
  name: string,
  existing: Pipeline | undefined,
  deals: readonly DealDraft[],
  hints: StageHints = {},
): Pipeline | undefined {
  const known = new Set(existing?.stages.map((stage) => stage.name));
  const positions = new Map<string, number[]>();
  const seen: string[] = [];
  const see = (stage: string) => {
    if (!known.has(stage) && !seen.includes(stage)) seen.push(stage);
  };
  for (const deal of deals) {
    const order = [...new Set(deal.history.map((entry) => entry.stage))];
    for (const [i, stage] of order.entries()) {
      see(stage);
      const list = positions.get(stage) ?? [];
      list.push(order.length === 1 ? 0 : i / (order.length - 1));
      positions.set(stage, list);
    }
    if (deal.stage !== null) see(deal.stage);
  }
  if (seen.length === 0) return undefined;

  const outcomeOf = (stage: string): 'won' | 'lost' | null => {
    const told = hints.outcome?.get(stage);
    return told === undefined ? outcomeOfStage(stage) : told === 'open' ? null : told;
  };
  const closing = seen.filter((stage) => outcomeOf(stage) !== null);
  const open = seen.filter((stage) => outcomeOf(stage) === null);
  const hintIndex = (stage: string) => hints.order?.indexOf(stage) ?? -1;
  const probability = (stage: string) => hints.probability?.get(stage);
  // A stage no history places (only ever a current stage) is placed by what its name says.
  const phaseRank = (stage: string) => phaseRanks[phaseOfStage(stage, 0, 1)];
  const position = (stage: string) => {
    const list = positions.get(stage);
    return list === undefined ? phaseRank(stage) / 2 : mean(list);
  };
  const byHint = open.every((stage) => hintIndex(stage) >= 0);
  const byProbability = !byHint && open.every((stage) => probability(stage) !== undefined);
  const existingOpen = existing?.stages.filter((stage) => stage.outcome === null) ?? [];
  const existingClosing = existing?.stages.filter((stage) => stage.outcome !== null) ?? [];
  /** The order of open stages, new or configured; undefined for a configured one it cannot place. */
  const key = (stage: string): number | undefined => {
    if (byHint) return hintIndex(stage) >= 0 ? hintIndex(stage) : undefined;
    if (byProbability) {
      return probability(stage) ?? existingOpen.find((known) => known.name === stage)?.probability;
    }
    return positions.has(stage) || open.includes(stage) ? position(stage) : undefined;
  };
  const sortOrder = (stage: string) => hints.sortOrder?.get(stage) ?? Number.POSITIVE_INFINITY;
  // Ties (equal probabilities, stages seen only at one place) fall to the CRM's own order, then
  // to history, then to the name.
  open.sort(
    (a, b) =>
      (key(a) as number) - (key(b) as number) ||
      (sortOrder(a) === sortOrder(b) ? 0 : sortOrder(a) < sortOrder(b) ? -1 : 1) ||
      position(a) - position(b) ||
      phaseRank(a) - phaseRank(b),
  );

  // A new stage goes after the last configured one that comes before it by the same measure.
  const openNames = existingOpen.map((stage) => stage.name);
  for (const stage of open) {
    const own = key(stage) as number;
    const after = openNames.findLastIndex((name) => {
      if (open.includes(name)) return true;
      const theirs = key(name);
      return theirs !== undefined && theirs <= own;
    });
    openNames.splice(after + 1, 0, stage);
  }
  // Closing stages last: configured ones keep their order, a new won stage follows the won ones.
  const closingNames = existingClosing.map((stage) => stage.name);
  const outcomes = new Map(existingClosing.map((stage) => [stage.name, stage.outcome]));
  for (const stage of closing) outcomes.set(stage, outcomeOf(stage));
  for (const stage of closing.sort(
    (a, b) => Number(outcomes.get(a) !== 'won') - Number(outcomes.get(b) !== 'won'),
  )) {
    const after =
      outcomes.get(stage) === 'won'
        ? closingNames.findLastIndex((name) => outcomes.get(name) === 'won')
        : closingNames.length - 1;
    closingNames.splice(after + 1, 0, stage);
  }
  const fresh = (stage: string, index: number): PipelineStage => {
    const outcome = outcomeOf(stage);
    return {
      name: stage,
      phase: outcome === null ? phaseOfStage(stage, index, openNames.length) : 'decision',
      outcome,
      probability:
        outcome === 'won'
          ? 1
          : outcome === 'lost'
            ? 0
            : (probability(stage) ?? round((index + 1) / (openNames.length + 1))),
    };
  };
  const configured = (stage: string) => existing?.stages.find((known) => known.name === stage);
  return {
    name,
    stages: [
      ...openNames.map((stage, index) => configured(stage) ?? fresh(stage, index)),
      ...closingNames.map((stage) => configured(stage) ?? fresh(stage, openNames.length)),
    ],
  };
}

const phaseRanks = { awareness: 0, consideration: 1, decision: 2 } as const;

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

const round = (value: number) => Math.round(value * 100) / 100;
