import type { DealStatus, Moment } from '../../core/deals.js';
import type { CrmNames } from '../../store/ports.js';
import type { DealRow, HistoryRow } from '../formats/format.js';
import type { IncomingDeal } from '../import/merge-deal.js';
import { parseMoment } from '../values.js';

type PipedriveDeal = Record<string, unknown>;

/**
 * A Pipedrive deal webhook (v1: `current`/`previous`/`meta.object`; v2: `data`/`previous`/
 * `meta.entity`) as what it says about one deal. A changed stage becomes a stage change dated by
 * `stage_change_time`. Webhooks carry ids, not names: stages and pipelines take their names from
 * `names` (set from Pipedrive's stage list), else are named by id (`stage 3`, `pipeline 1`).
 * Undefined for deliveries about something else than a deal (or a deleted deal).
 */
export function dealFromPipedrive(
  payload: unknown,
  names: CrmNames = { pipelines: {}, stages: {} },
): IncomingDeal | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const body = payload as Record<string, unknown>;
  const meta = (body.meta ?? {}) as Record<string, unknown>;
  const entity = meta.entity ?? meta.object;
  const current = (body.data ?? body.current) as PipedriveDeal | null | undefined;
  if (entity !== 'deal' || typeof current !== 'object' || current === null) return undefined;
  const previous = (body.previous ?? {}) as PipedriveDeal;
  const id = current.id ?? meta.entity_id ?? meta.id;
  if (id === undefined || id === null) return undefined;
  const externalId = String(id);

  const time = (key: string): Moment | undefined => {
    const value = current[key];
    return typeof value === 'string' ? parseMoment(value, key).value : undefined;
  };
  const text = (key: string): string | undefined => {
    const value = current[key];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const status = text('status');
  const named = (
    kind: 'stage' | 'pipeline',
    id: unknown,
    known: Readonly<Record<string, string>>,
  ) => {
    if (id === undefined || id === null) return undefined;
    const key = String(id);
    return Object.hasOwn(known, key) ? known[key] : `${kind} ${key}`;
  };
  const stage = named('stage', current.stage_id, names.stages);
  const closedAt =
    status === 'won' ? time('won_time') : status === 'lost' ? time('lost_time') : undefined;
  const value = current.value;
  const row: DealRow = {
    externalId,
    name: text('title'),
    amount: typeof value === 'number' || typeof value === 'string' ? String(value) : undefined,
    currency: text('currency')?.toUpperCase(),
    status:
      status === 'open' || status === 'won' || status === 'lost'
        ? (status as DealStatus)
        : undefined,
    createdAt: time('add_time'),
    closedAt: closedAt ?? (status === 'won' || status === 'lost' ? time('close_time') : undefined),
    expectedCloseAt: time('expected_close_date'),
    pipeline: named('pipeline', current.pipeline_id, names.pipelines),
  };
  const history: HistoryRow[] = [];
  const stageChangedAt = time('stage_change_time') ?? time('update_time');
  if (
    stage !== undefined &&
    stageChangedAt !== undefined &&
    previous.stage_id !== current.stage_id
  ) {
    history.push({ externalId, stage, enteredAt: stageChangedAt });
  }
  return { externalId, row: withoutUndefined(row), history };
}

function withoutUndefined(row: DealRow): DealRow {
  return Object.fromEntries(
    Object.entries(row).filter(([, v]) => v !== undefined),
  ) as unknown as DealRow;
}
