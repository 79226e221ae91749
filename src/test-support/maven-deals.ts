/**
 * The Maven CRM sample (`../shared/data/maven-crm/sales_pipeline.csv`) as deals, read the way the
 * maven import format reads it: the engage date is the creation and the entry into Engaging, the
 * close date ends a won or lost deal, close_value is USD (0 on lost deals, empty on open ones)
 * and known from the close on; a prospect has no date at all. Segment = product.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Deal, DealStatus, Moment, Pipeline, StageChange } from '../core/deals.js';
import { sharedDataPath } from './shared-data.js';

interface Row {
  opportunity_id: string;
  sales_agent: string;
  product: string;
  account: string;
  deal_stage: string;
  engage_date: string;
  close_date: string;
  close_value: string;
}

/** The pipeline `closedloop import deals --format maven` infers (default probabilities included). */
export const mavenPipeline: Pipeline = {
  name: 'maven',
  stages: [
    { name: 'Prospecting', phase: 'awareness', outcome: null, probability: 0.33 },
    { name: 'Engaging', phase: 'consideration', outcome: null, probability: 0.67 },
    { name: 'Won', phase: 'decision', outcome: 'won', probability: 1 },
    { name: 'Lost', phase: 'decision', outcome: 'lost', probability: 0 },
  ],
};

const date = (text: string): Moment | null =>
  text === '' ? null : { at: Date.parse(`${text}T00:00:00Z`), dateOnly: true };

function dealOf(row: Row): Deal {
  const engaged = date(row.engage_date);
  const closed = date(row.close_date);
  const status: DealStatus =
    row.deal_stage === 'Won' ? 'won' : row.deal_stage === 'Lost' ? 'lost' : 'open';
  const history: StageChange[] = [];
  if (engaged !== null) history.push({ stage: 'Engaging', enteredAt: engaged });
  if (closed !== null && status !== 'open')
    history.push({ stage: row.deal_stage, enteredAt: closed });
  const amountMinor = row.close_value === '' ? null : Math.round(Number(row.close_value) * 100);
  return {
    id: row.opportunity_id,
    workspaceId: 'maven',
    externalId: row.opportunity_id,
    source: 'maven',
    name: null,
    amountMinor,
    currency: 'USD',
    pipeline: mavenPipeline.name,
    stage: row.deal_stage,
    status,
    createdAt: engaged,
    closedAt: status === 'open' ? null : closed,
    expectedCloseAt: status === 'open' ? closed : null,
    owner: row.sales_agent || null,
    segment: row.product || null,
    channel: null,
    account: row.account || null,
    accountDomain: null,
    emails: [],
    contactIds: [],
    recurringInterval: null,
    termMonths: null,
    history,
    // Dated at the close, as the import dates it: as of any earlier day the deal had no amount.
    amountHistory:
      amountMinor === null || closed === null || status === 'open'
        ? []
        : [{ at: closed, minor: amountMinor, currency: 'USD' }],
    updatedAt: 0,
  };
}

export function mavenDeals(): Deal[] {
  const rows: Row[] = parse(readFileSync(sharedDataPath('maven-crm', 'sales_pipeline.csv')), {
    columns: true,
    skip_empty_lines: true,
  });
  return rows.map(dealOf);
}
