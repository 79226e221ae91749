import type Database from 'better-sqlite3';
import type {
  AmountChange,
  Deal,
  DealStatus,
  ExchangeRate,
  Moment,
  Pipeline,
  RecurringInterval,
  StageChange,
} from '../../core/deals.js';
import { ClosedloopError } from '../../core/errors.js';
import type { DealDraft, RevenueTarget, StateStore } from '../ports.js';
import { guarded } from './failures.js';
import { randomBase62 } from './keys.js';

const dealColumns = `id, source, external_id, name, amount_minor, currency, pipeline, stage, status,
  created_at, created_date_only, closed_at, closed_date_only, expected_close_at,
  expected_close_date_only, owner, segment, channel, account, account_domain, emails, contact_ids,
  recurring_interval, term_months, history, amount_history, field_times, updated_at`;

export const dealSql = {
  dealsByExternalIds: `SELECT workspace_id, ${dealColumns} FROM deals
    WHERE workspace_id = ? AND source = ? AND external_id IN (SELECT value FROM json_each(?))`,
  upsertDeal: `INSERT INTO deals (workspace_id, ${dealColumns})
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (workspace_id, id) DO UPDATE SET
      name = excluded.name, amount_minor = excluded.amount_minor, currency = excluded.currency,
      pipeline = excluded.pipeline, stage = excluded.stage, status = excluded.status,
      created_at = excluded.created_at, created_date_only = excluded.created_date_only,
      closed_at = excluded.closed_at, closed_date_only = excluded.closed_date_only,
      expected_close_at = excluded.expected_close_at,
      expected_close_date_only = excluded.expected_close_date_only, owner = excluded.owner,
      segment = excluded.segment, channel = excluded.channel, account = excluded.account,
      account_domain = excluded.account_domain, emails = excluded.emails,
      contact_ids = excluded.contact_ids, recurring_interval = excluded.recurring_interval,
      term_months = excluded.term_months, history = excluded.history,
      amount_history = excluded.amount_history, field_times = excluded.field_times,
      updated_at = excluded.updated_at`,
  deals: `SELECT workspace_id, ${dealColumns} FROM deals WHERE workspace_id = ?
    ORDER BY created_at IS NULL, created_at, rowid`,
  dealsOfPipeline: `SELECT workspace_id, ${dealColumns} FROM deals
    WHERE workspace_id = ? AND pipeline = ? ORDER BY created_at IS NULL, created_at, rowid`,
  pipelines: 'SELECT name, stages FROM pipelines WHERE workspace_id = ? ORDER BY rowid',
  savePipeline: `INSERT INTO pipelines (workspace_id, name, stages) VALUES (?, ?, ?)
    ON CONFLICT (workspace_id, name) DO UPDATE SET stages = excluded.stages`,
  saveRate: `INSERT INTO exchange_rates (workspace_id, currency, date, date_only, rate)
    VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (workspace_id, currency, date) DO UPDATE SET
      rate = excluded.rate, date_only = excluded.date_only`,
  rates: `SELECT currency, date, date_only, rate FROM exchange_rates WHERE workspace_id = ?
    ORDER BY currency, date`,
  setTarget: `INSERT INTO revenue_targets (workspace_id, period, amount_minor, updated_at)
    VALUES (?, ?, ?, ?) ON CONFLICT (workspace_id, period) DO UPDATE SET
      amount_minor = excluded.amount_minor, updated_at = excluded.updated_at`,
  targets: `SELECT period, amount_minor AS amountMinor FROM revenue_targets
    WHERE workspace_id = ? ORDER BY period`,
} as const;

interface DealRow {
  workspace_id: string;
  id: string;
  source: string;
  external_id: string;
  name: string | null;
  amount_minor: number | null;
  currency: string | null;
  pipeline: string;
  stage: string | null;
  status: DealStatus;
  created_at: number | null;
  created_date_only: 0 | 1;
  closed_at: number | null;
  closed_date_only: 0 | 1;
  expected_close_at: number | null;
  expected_close_date_only: 0 | 1;
  owner: string | null;
  segment: string | null;
  channel: string | null;
  account: string | null;
  account_domain: string | null;
  emails: string;
  contact_ids: string;
  recurring_interval: RecurringInterval | null;
  term_months: number | null;
  history: string;
  amount_history: string;
  field_times: string | null;
  updated_at: number;
}

type DealMethods = Pick<
  StateStore,
  | 'mergeDeals'
  | 'deals'
  | 'pipelines'
  | 'savePipeline'
  | 'saveRates'
  | 'rates'
  | 'setTarget'
  | 'targets'
>;

const newDealId = (): string => `d_${randomBase62(16)}`;

/** Deals with their stage and amount histories (JSON columns), pipelines and exchange rates. */
export function sqliteDeals(db: Database.Database): DealMethods {
  const sql = dealSql;
  const byExternalIds = db.prepare<[string, string, string], DealRow>(sql.dealsByExternalIds);
  const upsertDeal = db.prepare<unknown[]>(sql.upsertDeal);
  const allDeals = db.prepare<[string], DealRow>(sql.deals);
  const dealsOfPipeline = db.prepare<[string, string], DealRow>(sql.dealsOfPipeline);
  const pipelines = db.prepare<[string], { name: string; stages: string }>(sql.pipelines);
  const savePipeline = db.prepare<[string, string, string]>(sql.savePipeline);
  const saveRate = db.prepare<[string, string, number, number, number]>(sql.saveRate);
  const rates = db.prepare<
    [string],
    { currency: string; date: number; date_only: 0 | 1; rate: number }
  >(sql.rates);

  const setTarget = db.prepare<[string, string, number, number]>(sql.setTarget);
  const targets = db.prepare<[string], RevenueTarget>(sql.targets);

  const merge = db.transaction(
    (
      workspaceId: string,
      source: string,
      externalIds: readonly string[],
      decide: (stored: ReadonlyMap<string, Deal>) => readonly DealDraft[],
      at: number,
    ) => {
      const stored = new Map<string, Deal>();
      for (const row of byExternalIds.iterate(workspaceId, source, JSON.stringify(externalIds))) {
        stored.set(row.external_id, toDeal(row));
      }
      const created: string[] = [];
      const updated: string[] = [];
      for (const draft of decide(stored)) {
        const existing = stored.get(draft.externalId);
        const id = existing?.id ?? newDealId();
        (existing === undefined ? created : updated).push(id);
        upsertDeal.run(workspaceId, ...dealValues(id, { ...draft, source }, at));
      }
      return { created, updated };
    },
  );

  const saveRates = db.transaction((workspaceId: string, list: readonly ExchangeRate[]) => {
    for (const rate of list) {
      saveRate.run(workspaceId, rate.currency, rate.date.at, rate.date.dateOnly ? 1 : 0, rate.rate);
    }
  });

  return {
    mergeDeals: (workspaceId, source, externalIds, decide) =>
      guarded('mergeDeals', () =>
        merge.immediate(workspaceId, source, externalIds, decide, Date.now()),
      ),
    deals: (workspaceId, filter = {}) =>
      guarded('deals', () =>
        (filter.pipeline === undefined
          ? allDeals.all(workspaceId)
          : dealsOfPipeline.all(workspaceId, filter.pipeline)
        ).map(toDeal),
      ),
    pipelines: (workspaceId) =>
      guarded('pipelines', () =>
        pipelines.all(workspaceId).map((row) => ({
          name: row.name,
          stages: JSON.parse(row.stages) as Pipeline['stages'],
        })),
      ),
    savePipeline: (workspaceId, pipeline) =>
      guarded('savePipeline', () => {
        savePipeline.run(workspaceId, pipeline.name, JSON.stringify(pipeline.stages));
      }),
    saveRates: (workspaceId, list) =>
      guarded('saveRates', () => {
        saveRates.immediate(workspaceId, list);
      }),
    setTarget: (workspaceId, target) =>
      guarded('setTarget', () => {
        checkTarget(target);
        setTarget.run(workspaceId, target.period, target.amountMinor, Date.now());
      }),
    targets: (workspaceId) => guarded('targets', () => targets.all(workspaceId)),
    rates: (workspaceId) =>
      guarded('rates', () =>
        rates.all(workspaceId).map((row) => ({
          currency: row.currency,
          date: { at: row.date, dateOnly: row.date_only === 1 },
          rate: row.rate,
        })),
      ),
  };
}

function dealValues(id: string, deal: DealDraft, at: number): unknown[] {
  return [
    id,
    deal.source,
    deal.externalId,
    deal.name,
    deal.amountMinor,
    deal.currency,
    deal.pipeline,
    deal.stage,
    deal.status,
    ...momentColumns(deal.createdAt),
    ...momentColumns(deal.closedAt),
    ...momentColumns(deal.expectedCloseAt),
    deal.owner,
    deal.segment,
    deal.channel,
    deal.account,
    deal.accountDomain,
    JSON.stringify(deal.emails),
    JSON.stringify(deal.contactIds),
    deal.recurringInterval,
    deal.termMonths,
    JSON.stringify(deal.history.map((entry) => [entry.stage, ...momentColumns(entry.enteredAt)])),
    JSON.stringify(
      deal.amountHistory.map((entry) => [...momentColumns(entry.at), entry.minor, entry.currency]),
    ),
    deal.fieldTimes === undefined ? null : JSON.stringify(deal.fieldTimes),
    at,
  ];
}

function momentColumns(moment: Moment | null): [number | null, 0 | 1] {
  return moment === null ? [null, 0] : [moment.at, moment.dateOnly ? 1 : 0];
}

function momentOf(at: number | null, dateOnly: number): Moment | null {
  return at === null ? null : { at, dateOnly: dateOnly === 1 };
}

function toDeal(row: DealRow): Deal {
  const history = (JSON.parse(row.history) as [string, number, 0 | 1][]).map(
    ([stage, at, dateOnly]): StageChange => ({
      stage,
      enteredAt: { at, dateOnly: dateOnly === 1 },
    }),
  );
  const amountHistory = (JSON.parse(row.amount_history) as [number, 0 | 1, number, string][]).map(
    ([at, dateOnly, minor, currency]): AmountChange => ({
      at: { at, dateOnly: dateOnly === 1 },
      minor,
      currency,
    }),
  );
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    externalId: row.external_id,
    source: row.source,
    name: row.name,
    amountMinor: row.amount_minor,
    currency: row.currency,
    pipeline: row.pipeline,
    stage: row.stage,
    status: row.status,
    createdAt: momentOf(row.created_at, row.created_date_only),
    closedAt: momentOf(row.closed_at, row.closed_date_only),
    expectedCloseAt: momentOf(row.expected_close_at, row.expected_close_date_only),
    owner: row.owner,
    segment: row.segment,
    channel: row.channel,
    account: row.account,
    accountDomain: row.account_domain,
    emails: JSON.parse(row.emails) as string[],
    contactIds: JSON.parse(row.contact_ids) as string[],
    recurringInterval: row.recurring_interval,
    termMonths: row.term_months,
    history,
    amountHistory,
    ...(row.field_times === null
      ? {}
      : { fieldTimes: JSON.parse(row.field_times) as Record<string, number> }),
    updatedAt: row.updated_at,
  };
}

const periodPattern = /^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$/;

function checkTarget(target: RevenueTarget): void {
  const year = Number(target.period.slice(0, 4));
  // The years a date may name anywhere else (0000 is a typo, and no forecast reaches it).
  if (!periodPattern.test(target.period) || year < 1900 || year > 2999) {
    throw new ClosedloopError(
      'CL_ERR_CONFIG',
      `period: expected a year (2027), a quarter (2027-Q1) or a month (2027-03) from 1900 to 2999, got "${target.period}"`,
    );
  }
  if (!Number.isSafeInteger(target.amountMinor) || target.amountMinor < 0) {
    throw new ClosedloopError(
      'CL_ERR_CONFIG',
      `amount: expected a whole, non-negative number of minor units, got ${target.amountMinor}`,
    );
  }
}
