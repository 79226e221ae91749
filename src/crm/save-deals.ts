import { isDeepStrictEqual } from 'node:util';
import type { Deal, Pipeline } from '../core/deals.js';
import type { DealDraft, StateStore, Workspace } from '../store/ports.js';
import { inferPipeline } from './import/infer-pipeline.js';
import { type IncomingDeal, mergeDeal, type QuirkKind } from './import/merge-deal.js';
import { outcomeOfStage } from './stage-words.js';

export interface SaveOptions {
  readonly source: string;
  readonly now?: number;
  /** Open stages in funnel order, when the source defines them. */
  readonly stageOrder?: readonly string[];
  /** Called inside the transaction for an input that names a deal nowhere to be found. */
  readonly onUnknown?: (deal: IncomingDeal) => void;
  /** The zone whose calendar days "closed before created" compares (default: the workspace's). */
  readonly timeZone?: string;
  /**
   * Called inside the transaction for a deal whose merge found quirks, with the currency in force
   * for it (given or stored). Throwing refuses the whole input, nothing written (the API refuses
   * what an export's reader lists: an amount rounded, a close date left out); otherwise the quirks
   * are listed.
   */
  readonly onQuirks?: (deal: IncomingDeal, quirks: readonly QuirkKind[], currency: string) => void;
}

export interface SaveResult {
  readonly created: readonly string[];
  readonly updated: readonly string[];
  /** Deals the input names but leaves exactly as stored (a re-import, a replay): not written. */
  readonly unchanged: readonly string[];
  /**
   * Quirk → external ids of the deals that showed it: the merge's kinds, and `stage "Gagné" read
   * as won` for each closing stage told by a name in another language than English.
   */
  readonly quirks: ReadonlyMap<QuirkKind | string, ReadonlySet<string>>;
  /** Pipelines made or extended with stages seen for the first time. */
  readonly pipelines: readonly Pipeline[];
}

/**
 * Merges what an import, a webhook or the API says about deals into the store, in one
 * transaction, then extends the workspace's pipelines with any stage seen for the first time.
 * The one path every way in takes, so they all treat history, amounts and re-opened deals alike.
 */
export async function saveIncomingDeals(
  state: StateStore,
  workspace: Workspace,
  incoming: readonly IncomingDeal[],
  options: SaveOptions,
): Promise<SaveResult> {
  const now = options.now ?? Date.now();
  const pipelines = new Map((await state.pipelines(workspace.id)).map((p) => [p.name, p]));
  const outcomeOf = (pipeline: string, stage: string) => {
    const configured = pipelines.get(pipeline)?.stages.find((s) => s.name === stage);
    return configured !== undefined ? configured.outcome : outcomeOfStage(stage);
  };
  const quirks = new Map<QuirkKind | string, Set<string>>();
  const note = (quirk: string, externalId: string) => {
    const seen = quirks.get(quirk) ?? new Set<string>();
    seen.add(externalId);
    quirks.set(quirk, seen);
  };
  const probabilities = new Map<string, number>();
  const sortOrders = new Map<string, number>();
  const stageOutcomes = new Map<string, 'won' | 'lost' | 'open'>();
  // Every deal the input leaves, changed or not: what the pipelines are inferred from.
  const drafts: DealDraft[] = [];
  const unchanged: string[] = [];
  const ids = [...new Set(incoming.map((deal) => deal.externalId))];
  const result = await state.mergeDeals(workspace.id, options.source, ids, (stored) => {
    // A deal named twice in one input is merged twice, the second time over the first result.
    const latest = new Map<string, DealDraft>();
    // Deals whose inputs said no times (imports): their field times alone are no change.
    const undated = new Set<string>();
    const current = new Map<string, Deal>(stored);
    for (const deal of incoming) {
      const known = current.get(deal.externalId);
      if (deal.row === undefined && known === undefined) {
        options.onUnknown?.(deal);
        continue;
      }
      const merged = mergeDeal(known, deal, {
        source: options.source,
        workspaceCurrency: workspace.currency,
        timeZone: options.timeZone ?? workspace.timeZone,
        now,
        outcomeOf,
      });
      if (merged.quirks.length > 0) {
        options.onQuirks?.(deal, merged.quirks, merged.draft.currency ?? workspace.currency);
      }
      for (const quirk of merged.quirks) note(quirk, deal.externalId);
      const { pipeline, stage } = merged.draft;
      const configured = pipelines.get(pipeline)?.stages.some((known) => known.name === stage);
      if (stage !== null && configured !== true && !englishOutcome.test(stage)) {
        const outcome = outcomeOfStage(stage);
        if (outcome !== null) note(`stage "${stage}" read as ${outcome}`, deal.externalId);
      }
      const row = deal.row ?? { externalId: deal.externalId };
      if (row.stage !== undefined && row.stageProbability !== undefined) {
        probabilities.set(row.stage, row.stageProbability);
      }
      if (row.stage !== undefined && row.stageSortOrder !== undefined) {
        sortOrders.set(row.stage, row.stageSortOrder);
      }
      if (row.stage !== undefined && row.stageOutcome !== undefined) {
        stageOutcomes.set(row.stage, row.stageOutcome);
      }
      latest.set(deal.externalId, merged.draft);
      if (deal.fieldTimes === undefined) undated.add(deal.externalId);
      else undated.delete(deal.externalId);
      current.set(deal.externalId, {
        ...merged.draft,
        id: known?.id ?? '',
        workspaceId: workspace.id,
        updatedAt: now,
      });
    }
    // One push at a time: spread into one call, 125,000-odd deals overflowed the call stack.
    drafts.length = 0;
    for (const draft of latest.values()) drafts.push(draft);
    unchanged.length = 0;
    return drafts.filter((draft) => {
      const before = stored.get(draft.externalId);
      if (before === undefined || !isStoredAs(draft, before, undated.has(draft.externalId))) {
        return true;
      }
      unchanged.push(before.id);
      return false;
    });
  });

  const changed: Pipeline[] = [];
  for (const name of new Set(drafts.map((draft) => draft.pipeline))) {
    const inferred = inferPipeline(
      name,
      pipelines.get(name),
      drafts.filter((draft) => draft.pipeline === name),
      {
        order: options.stageOrder,
        probability: probabilities,
        sortOrder: sortOrders,
        outcome: stageOutcomes,
      },
    );
    if (inferred === undefined) continue;
    await state.savePipeline(workspace.id, inferred);
    changed.push(inferred);
  }
  return {
    created: result.created,
    updated: result.updated,
    unchanged,
    quirks,
    pipelines: changed,
  };
}

/**
 * Whether writing the draft would change nothing but the deal's update time. For an input that
 * says no times (an import), field times alone do not count: it stamps the fields it gives with
 * its own time, and one that gives the values stored already changes nothing. A dated input's
 * newer times are kept, so that an older webhook delivered later cannot undo its values.
 */
function isStoredAs(draft: DealDraft, stored: Deal, undated: boolean): boolean {
  return Object.entries(draft).every(
    ([key, value]) =>
      (undated && key === 'fieldTimes') || isDeepStrictEqual(value, stored[key as keyof Deal]),
  );
}

/** A closing stage named in English ("Closed Won", "closedlost"); others are listed as read. */
const englishOutcome = /\b(closed ?)?(won|lost)\b/i;
