import type { DealStatus, Moment } from '../../core/deals.js';
import { ClosedloopError } from '../../core/errors.js';
import { isKnownCurrency, isPlainAmount } from '../../core/money.js';
import type { CrmNames } from '../../store/ports.js';
import type { DealRow, HistoryRow } from '../formats/format.js';
import type { IncomingDeal } from '../import/merge-deal.js';
import { parseMoment } from '../values.js';

type PipedriveDeal = Record<string, unknown>;

/**
 * A Pipedrive deal webhook (v1: `current`/`previous`/`meta.object`; v2: `data`/`previous`/
 * `meta.entity`) as what it says about one deal. A changed stage becomes a stage change dated by
 * `stage_change_time`, and a new deal's first stage is dated by when it entered it. Webhooks carry
 * ids, not names: stages and pipelines take their names from `names` (set from Pipedrive's stage
 * list), else are named by id (`stage 3`, `pipeline 1`). Undefined for deliveries about something
 * else than a deal (or a deleted deal). A currency, value or timestamp that cannot be stored exactly
 * is refused (CL_ERR_DEAL_INVALID, naming the field) rather than dropped or left to fail later.
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
  // v2 may still carry the deleted deal in `data`; a deletion is not an update.
  if (meta.action === 'deleted' || meta.action === 'delete') return undefined;
  const isV2 = meta.entity !== undefined || body.data !== undefined;
  const previous =
    typeof body.previous === 'object' && body.previous !== null
      ? (body.previous as PipedriveDeal)
      : undefined;
  const isNew = previous === undefined || meta.action === 'added' || meta.action === 'create';
  const idField = (
    [
      ['id', current.id],
      ['meta.entity_id', meta.entity_id],
      ['meta.id', meta.id],
    ] as const
  ).find(([, value]) => value !== undefined && value !== null);
  if (idField === undefined) return undefined;
  const externalId = idOf(idField[0], idField[1]);

  const time = (key: string): Moment | undefined => {
    const value = current[key];
    if (value === undefined || value === null) return undefined;
    // A timestamp sent but unreadable would otherwise vanish: a close or stage left undated.
    if (typeof value !== 'string') {
      invalid(key, `expected an ISO 8601 date such as 2027-03-01, got ${shown(value)}`);
    }
    const cell = parseMoment(value, key);
    if (cell.error !== undefined) invalid(key, cell.error.message);
    return cell.value;
  };
  // A field of the wrong type is refused: dropped, or read as "[object Object]", it would vanish.
  const text = (key: string): string | undefined => {
    const value = current[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') invalid(key, `expected a string, got ${shown(value)}`);
    return value.trim() === '' ? undefined : value.trim();
  };
  const status = text('status');
  if (status !== undefined && !statuses.has(status)) {
    invalid('status', `expected open, won, lost or deleted, got ${shown(status)}`);
  }
  const named = (
    kind: 'stage' | 'pipeline',
    known: Readonly<Record<string, string>>,
  ): string | undefined => {
    const field = `${kind}_id`;
    const id = current[field];
    if (id === undefined || id === null) return undefined;
    const key = idOf(field, id);
    return Object.hasOwn(known, key) ? known[key] : `${kind} ${key}`;
  };
  const stage = named('stage', names.stages);
  const closedAt =
    status === 'won' ? time('won_time') : status === 'lost' ? time('lost_time') : undefined;
  const row: DealRow = {
    externalId,
    name: text('title'),
    amount: amountOf(current.value),
    currency: currencyOf(current.currency),
    status:
      status === 'open' || status === 'won' || status === 'lost'
        ? (status as DealStatus)
        : undefined,
    createdAt: time('add_time'),
    closedAt: closedAt ?? (status === 'won' || status === 'lost' ? time('close_time') : undefined),
    expectedCloseAt: time('expected_close_date'),
    pipeline: named('pipeline', names.pipelines),
  };
  const history: HistoryRow[] = [];
  // v2's `previous` holds only the changed fields, so a missing `stage_id` means "unchanged" there;
  // v1's holds the whole deal. Either way, only a stage that differs is a move: any other edit
  // would otherwise add a stage entry dated by its own update time, once per edit.
  const stageMoved =
    previous !== undefined &&
    (isV2 ? Object.hasOwn(previous, 'stage_id') : true) &&
    !sameId(previous.stage_id, current.stage_id);
  const enteredAt = isNew
    ? (time('stage_change_time') ?? time('add_time') ?? time('update_time'))
    : stageMoved
      ? (time('stage_change_time') ?? time('update_time'))
      : undefined;
  if (stage !== undefined && enteredAt !== undefined) {
    history.push({ externalId, stage, enteredAt });
  }
  const kept = withoutUndefined(row);
  // The deal as of its last update: a delivery that arrives after a newer one (a retry, a slow
  // worker) must not put back the older amount or status.
  const updatedAt = time('update_time');
  if (updatedAt === undefined) return { externalId, row: kept, history };
  const fieldTimes = Object.fromEntries(
    Object.keys(kept)
      .filter((key) => key !== 'externalId')
      .map((key) => [key, updatedAt.at]),
  );
  // The value is dated by the update that set it, not by when it arrives; a late one takes its
  // place in the amount history.
  return kept.amount === undefined
    ? { externalId, row: kept, history, fieldTimes }
    : {
        externalId,
        row: kept,
        history,
        amountChanges: [{ at: updatedAt, amount: kept.amount }],
        fieldTimes,
      };
}

const statuses: ReadonlySet<string> = new Set(['open', 'won', 'lost', 'deleted']);

/** A Pipedrive id as text: a whole number, or a non-empty string. */
function idOf(field: string, value: unknown): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  invalid(field, `expected a whole number or a non-empty string, got ${shown(value)}`);
}

function invalid(field: string, message: string): never {
  throw new ClosedloopError('CL_ERR_DEAL_INVALID', `${field}: ${message}`);
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function sameId(a: unknown, b: unknown): boolean {
  if (a === undefined || a === null) return b === undefined || b === null;
  return b !== undefined && b !== null && String(a) === String(b);
}

/**
 * The deal value as exact decimal text. A number is taken as JavaScript writes it, which is the
 * sender's digits only in plain notation and within the safe integers: `1e+21` or `1e-7` would
 * reach the merge as text it cannot read and be silently left out. Negative values are no deal.
 */
function amountOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  const text =
    typeof value === 'number' && Number.isFinite(value) && value <= Number.MAX_SAFE_INTEGER
      ? String(value)
      : typeof value === 'string'
        ? value.trim()
        : undefined;
  if (text === undefined || !isPlainAmount(text)) {
    invalid('value', `expected an amount such as 1200.50, got ${shown(value)}`);
  }
  return text;
}

/** The ISO 4217 code, upper-cased. Anything else would make `Intl` throw deep in the merge (a 500). */
function currencyOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  const code = typeof value === 'string' ? value.trim().toUpperCase() : undefined;
  if (code === undefined || !isKnownCurrency(code)) {
    invalid('currency', `expected an ISO 4217 code such as EUR, got ${shown(value)}`);
  }
  return code;
}

function withoutUndefined(row: DealRow): DealRow {
  return Object.fromEntries(
    Object.entries(row).filter(([, v]) => v !== undefined),
  ) as unknown as DealRow;
}
