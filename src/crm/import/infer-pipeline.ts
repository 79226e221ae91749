import type { Pipeline, PipelineStage } from '../../core/deals.js';
import type { DealDraft } from '../../store/ports.js';
import { outcomeOfStage, phaseOfStage } from '../stage-words.js';

export interface StageHints {
  /** Open stages in funnel order as the format defines them. */
  readonly order?: readonly string[];
  /** The CRM's probability per stage (Salesforce), 0..1. */
  readonly probability?: ReadonlyMap<string, number>;
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

  const closing = seen.filter((stage) => outcomeOfStage(stage) !== null);
  const open = seen.filter((stage) => outcomeOfStage(stage) === null);
  const hintIndex = (stage: string) => hints.order?.indexOf(stage) ?? -1;
  const probability = (stage: string) => hints.probability?.get(stage);
  const meanPosition = (stage: string) => mean(positions.get(stage) ?? [0]);
  const byHint = open.every((stage) => hintIndex(stage) >= 0);
  const byProbability = open.every((stage) => probability(stage) !== undefined);
  open.sort((a, b) =>
    byHint
      ? hintIndex(a) - hintIndex(b)
      : byProbability
        ? (probability(a) as number) - (probability(b) as number)
        : meanPosition(a) - meanPosition(b),
  );
  closing.sort(
    (a, b) => (outcomeOfStage(a) === 'won' ? 0 : 1) - (outcomeOfStage(b) === 'won' ? 0 : 1),
  );

  const existingOpen = existing?.stages.filter((stage) => stage.outcome === null) ?? [];
  const existingClosing = existing?.stages.filter((stage) => stage.outcome !== null) ?? [];
  // A new stage goes after the last configured one that its deals reach before it.
  const openNames = existingOpen.map((stage) => stage.name);
  for (const stage of open) {
    const position = meanPosition(stage);
    const after = openNames.findLastIndex((name) =>
      !open.includes(name) ? positions.has(name) && meanPosition(name) <= position : true,
    );
    openNames.splice(after + 1, 0, stage);
  }
  const fresh = (stage: string, index: number): PipelineStage => {
    const outcome = outcomeOfStage(stage);
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
  return {
    name,
    stages: [
      ...openNames.map(
        (stage, index) => existingOpen.find((known) => known.name === stage) ?? fresh(stage, index),
      ),
      ...existingClosing,
      ...closing.map((stage) => fresh(stage, openNames.length)),
    ],
  };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

const round = (value: number) => Math.round(value * 100) / 100;
