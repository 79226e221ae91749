import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import type { Deal } from '../../core/deals.js';
import { amountInCurrency } from '../../core/exchange.js';
import type { Workspace } from '../../store/ports.js';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/open.js';
import { sharedDataPath } from '../../test-support/shared-data.js';
import { tempFiles } from '../../test-support/temp-files.js';
import { fixturePath } from '../formats/fixtures/read-fixture.js';
import { formatByName } from '../formats/index.js';
import { createMappedFormat } from '../formats/mapped.js';
import { type ImportSummary, importDeals, repeatedDealQuirk } from './import-deals.js';

const own = (...parts: string[]) => resolve(import.meta.dirname, 'fixtures', ...parts);
const file = tempFiles();
const day = 86_400_000;
const now = Date.parse('2030-06-01T12:00:00Z');

let open: SqliteStore[] = [];
afterEach(async () => {
  for (const store of open) await store.close();
  open = [];
});

async function freshStore(currency = 'USD'): Promise<{ store: SqliteStore; workspace: Workspace }> {
  const store = await openSqliteStore(':memory:');
  open.push(store);
  const { workspace } = await store.state.createWorkspace('acme', { currency });
  return { store, workspace };
}

async function run(
  target: { store: SqliteStore; workspace: Workspace },
  format: string,
  files: string[],
  options: { strict?: boolean; encoding?: string; now?: number } = {},
): Promise<ImportSummary> {
  return importDeals({
    format: formatByName(format),
    files,
    strict: options.strict ?? false,
    encoding: options.encoding,
    workspace: target.workspace,
    state: target.store.state,
    now: options.now ?? now,
  });
}

async function dealsById(target: { store: SqliteStore; workspace: Workspace }) {
  const deals = await target.store.state.deals(target.workspace.id);
  return new Map(deals.map((deal) => [deal.externalId, deal]));
}

const without = ({ updatedAt: _, ...deal }: Deal) => deal;
const stageNames = (deal: Deal | undefined) => deal?.history.map((entry) => entry.stage);
const quirk = (summary: ImportSummary, kind: string) =>
  summary.quirks.find((entry) => entry.kind === kind);

describe('importDeals: the Maven CRM sample', () => {
  const path = sharedDataPath('maven-crm', 'sales_pipeline.csv');
  const rows: Record<string, string>[] = parse(readFileSync(path), {
    columns: true,
    skip_empty_lines: true,
  });

  it('loads 8,800 deals: 4,238 won, 2,473 lost, 2,089 open, won revenue 10,005,534', async () => {
    const target = await freshStore();
    const summary = await run(target, 'maven', [path]);
    expect(summary).toMatchObject({
      rowsRead: 8800,
      dealsCreated: 8800,
      dealsUpdated: 0,
      rejected: [],
      unconverted: [],
    });
    expect(summary.pipelines).toEqual([
      { name: 'default', stages: ['Prospecting', 'Engaging', 'Won', 'Lost'] },
    ]);
    const deals = await target.store.state.deals(target.workspace.id);
    const count = (status: string) => deals.filter((deal) => deal.status === status).length;
    expect([deals.length, count('won'), count('lost'), count('open')]).toEqual([
      8800, 4238, 2473, 2089,
    ]);
    const wonMinor = deals
      .filter((deal) => deal.status === 'won')
      .reduce((sum, deal) => sum + (deal.amountMinor ?? 0), 0);
    expect(wonMinor).toBe(1_000_553_400);
    // A close value is dated at the close: as of any earlier day, the deal had no amount.
    const closed = deals.filter((deal) => deal.status !== 'open');
    expect(closed.filter((deal) => deal.amountHistory[0]?.at.at !== deal.closedAt?.at)).toEqual([]);
    // The same, computed from the rows here.
    const wonRows = rows.filter((row) => row.deal_stage === 'Won');
    expect(wonRows.length).toBe(4238);
    expect(wonRows.reduce((sum, row) => sum + Number(row.close_value), 0)).toBe(10_005_534);
    const [pipeline] = await target.store.state.pipelines(target.workspace.id);
    expect(pipeline?.stages.map((stage) => [stage.name, stage.outcome])).toEqual([
      ['Prospecting', null],
      ['Engaging', null],
      ['Won', 'won'],
      ['Lost', 'lost'],
    ]);
  });

  it('reads each opportunity as the sample means it', async () => {
    const target = await freshStore();
    await run(target, 'maven', [path]);
    const deals = await dealsById(target);
    const won = rows.find((row) => row.deal_stage === 'Won') as Record<string, string>;
    expect(deals.get(won.opportunity_id as string)).toMatchObject({
      stage: 'Won',
      status: 'won',
      owner: won.sales_agent,
      segment: won.product,
      account: won.account,
      currency: 'USD',
      amountMinor: Number(won.close_value) * 100,
      createdAt: { at: Date.parse(`${won.engage_date}T00:00:00Z`), dateOnly: true },
      closedAt: { at: Date.parse(`${won.close_date}T00:00:00Z`), dateOnly: true },
    });
    expect(stageNames(deals.get(won.opportunity_id as string))).toEqual(['Engaging', 'Won']);
    const prospect = rows.find((row) => row.deal_stage === 'Prospecting') as Record<string, string>;
    expect(deals.get(prospect.opportunity_id as string)).toMatchObject({
      stage: 'Prospecting',
      status: 'open',
      createdAt: null,
      history: [],
    });
  });

  it('is idempotent: a re-import changes nothing, not even the time of the write', async () => {
    const target = await freshStore();
    await run(target, 'maven', [path]);
    const before = await target.store.state.deals(target.workspace.id);
    const again = await run(target, 'maven', [path], { now: now + 30 * day });
    expect(again).toMatchObject({
      dealsCreated: 0,
      dealsUpdated: 0,
      dealsUnchanged: 8800,
      pipelines: [],
    });
    expect(await target.store.state.deals(target.workspace.id)).toEqual(before);
  });
});

describe('importDeals: Salesforce exports', () => {
  const opportunity = sharedDataPath('salesforce-demo', 'Opportunity.csv');
  const history = sharedDataPath('salesforce-demo', 'OpportunityHistory.csv');

  it('loads the 31 deals of the demo export with their stages, amounts and histories', async () => {
    const target = await freshStore();
    const summary = await run(target, 'salesforce', [opportunity, history]);
    expect(summary.files).toEqual([
      { name: 'Opportunity.csv', role: 'deals', encoding: 'utf-8', rows: 31 },
      { name: 'OpportunityHistory.csv', role: 'history', encoding: 'utf-8', rows: 62 },
    ]);
    expect(summary).toMatchObject({ dealsCreated: 31, rejected: [] });
    const rows: Record<string, string>[] = parse(readFileSync(opportunity), { columns: true });
    const historyRows: Record<string, string>[] = parse(readFileSync(history), { columns: true });
    const deals = await dealsById(target);
    expect(deals.size).toBe(31);
    for (const row of rows) {
      const deal = deals.get(row.Id as string);
      const entries = historyRows.filter((entry) => entry.OpportunityId === row.Id);
      expect(deal).toMatchObject({
        name: row.Name,
        stage: row.StageName,
        status: row.IsWon === '1' ? 'won' : 'open',
        amountMinor: Number(row.Amount) * 100,
        currency: 'USD',
        channel: row.LeadSource === '' ? null : row.LeadSource,
      });
      // Each history row is there twice in the export: kept once.
      expect(entries).toHaveLength(2);
      expect(deal?.history).toEqual([
        {
          stage: entries[0]?.StageName,
          enteredAt: {
            at: Date.parse(`${entries[0]?.CreatedDate.replace(' ', 'T')}Z`),
            dateOnly: false,
          },
        },
      ]);
    }
    expect(quirk(summary, 'duplicate history rows')?.deals).toBe(31);
    // Won deals closed (CloseDate) before they were created in this org (CreatedDate).
    const closedEarly = rows.filter(
      (row) =>
        row.IsClosed === '1' &&
        (row.CloseDate as string).slice(0, 10) < (row.CreatedDate as string).slice(0, 10),
    );
    expect(quirk(summary, 'closed before created')?.deals).toBe(closedEarly.length);
    // Open stages by Salesforce's probabilities, ties (both 10 %) by its StageSortOrder, the
    // closing stage last.
    const stages = summary.pipelines[0]?.stages ?? [];
    expect(stages).toEqual([
      'Prospecting',
      'Qualification',
      'Needs Analysis',
      'Value Proposition',
      'Id. Decision Makers',
      'Perception Analysis',
      'Proposal/Price Quote',
      'Negotiation/Review',
      'Closed Won',
    ]);
  });

  const multi = (name: string) => fixturePath('salesforce-multicurrency', name);
  const multiFiles = [
    multi('Opportunity.csv'),
    multi('OpportunityHistory.csv'),
    multi('rates.csv'),
  ];

  it('loads the Latin-1 multi-currency export: encoding detected, names right, amounts converted', async () => {
    const target = await freshStore();
    const summary = await run(target, 'salesforce', multiFiles);
    expect(summary.files.map((entry) => [entry.name, entry.role, entry.encoding])).toEqual([
      ['Opportunity.csv', 'deals', 'windows-1252'],
      // Plain ASCII: nothing to tell it from UTF-8, which reads it the same.
      ['OpportunityHistory.csv', 'history', 'utf-8'],
      ['rates.csv', 'rates', 'utf-8'],
    ]);
    expect(summary).toMatchObject({
      dealsCreated: 5,
      ratesSaved: 4,
      rejected: [],
      unconverted: [],
    });
    expect(summary.skipped).toEqual([
      { file: 'Opportunity.csv', line: 7, reason: 'deleted in Salesforce (IsDeleted = 1)' },
      { file: 'OpportunityHistory.csv', line: 9, reason: 'deleted in Salesforce (IsDeleted = 1)' },
    ]);
    const deals = await dealsById(target);
    expect(deals.has('0065g00000AbCdJAA1')).toBe(false);
    expect([...deals.values()].map((deal) => deal.account).sort()).toEqual([
      'Industrias Peña S.A.',
      'Müller GmbH',
      'Société Générale',
      'Thornton & Co Ltd',
      'Åkesson & Söner AB',
    ]);
    expect(deals.get('0065g00000AbCdEAA1')?.name).toBe('Société Générale - Plateforme analytique');
    const rates = await target.store.state.rates(target.workspace.id);
    const inUsd = (id: string) => amountInCurrency(deals.get(id) as Deal, rates, 'USD', 'UTC');
    // Won 14 Feb 2027: EUR at the 1 Feb rate, 1.0790.
    expect(inUsd('0065g00000AbCdEAA1')).toBe(5_179_200);
    // Open, created 12 Jan 2027: EUR at the 1 Nov 2026 rate, 1.0825.
    expect(inUsd('0065g00000AbCdFAA1')).toBe(12_990_000);
    // Lost 1 Mar 2027: GBP 15,500.50 at 1.2655 = 19,615.88275.
    expect(inUsd('0065g00000AbCdGAA1')).toBe(1_961_588);
    expect(inUsd('0065g00000AbCdHAA1')).toBe(2_500_000);
    // Open, created 20 Feb 2027: GBP 9,999.99 at 1.2655 = 12,654.987345.
    expect(inUsd('0065g00000AbCdIAA1')).toBe(1_265_499);
    expect(deals.get('0065g00000AbCdEAA1')).toMatchObject({
      currency: 'EUR',
      amountMinor: 4_800_000,
      status: 'won',
      closedAt: { at: Date.parse('2027-02-14T00:00:00Z'), dateOnly: true },
      amountHistory: [
        {
          at: { at: Date.parse('2026-11-03T09:15:00Z'), dateOnly: false },
          minor: 4_000_000,
          currency: 'EUR',
        },
        {
          at: { at: Date.parse('2026-12-10T16:40:00Z'), dateOnly: false },
          minor: 4_800_000,
          currency: 'EUR',
        },
      ],
    });
    expect(stageNames(deals.get('0065g00000AbCdEAA1'))).toEqual([
      'Prospecting',
      'Proposal/Price Quote',
      'Closed Won',
    ]);
    // Closed 20 Dec 2026, created 5 Jan 2027: kept, and listed.
    expect(quirk(summary, 'closed before created')?.examples).toEqual(['0065g00000AbCdHAA1']);
    expect(summary.pipelines).toEqual([
      {
        name: 'default',
        stages: [
          'Prospecting',
          'Qualification',
          'Proposal/Price Quote',
          'Negotiation/Review',
          'Closed Won',
          'Closed Lost',
        ],
      },
    ]);
  });

  it('reads the same export with the encoding it is told, and the same deals come out', async () => {
    const detected = await freshStore();
    await run(detected, 'salesforce', multiFiles);
    const told = await freshStore();
    const summary = await run(told, 'salesforce', multiFiles, { encoding: 'latin1' });
    expect(summary.files.map((entry) => entry.encoding)).toEqual(['latin1', 'latin1', 'latin1']);
    const a = (await detected.store.state.deals(detected.workspace.id)).map(without);
    const b = (await told.store.state.deals(told.workspace.id)).map(without);
    const byId = (list: Omit<Deal, 'updatedAt'>[]) =>
      list.map(({ id: _, workspaceId: __, ...deal }) => deal);
    expect(byId(b)).toEqual(byId(a));
  });

  it('refuses an encoding that does not exist before writing anything', async () => {
    const target = await freshStore();
    await expect(
      run(target, 'salesforce', multiFiles, { encoding: 'latin-9000' }),
    ).rejects.toMatchObject({
      code: 'CL_ERR_USAGE',
    });
    expect(await target.store.state.deals(target.workspace.id)).toEqual([]);
  });
});

describe('importDeals: the closedloop, HubSpot and Pipedrive fixtures, and a column map', () => {
  it('loads the closedloop fixture with its history and rates', async () => {
    const target = await freshStore();
    const dir = (name: string) => fixturePath('closedloop', name);
    const summary = await run(target, 'closedloop', [
      dir('deals.csv'),
      dir('stage_history.csv'),
      dir('rates.csv'),
    ]);
    expect(summary).toMatchObject({ rowsRead: 11, dealsCreated: 4, ratesSaved: 3, rejected: [] });
    const deals = await dealsById(target);
    expect(deals.get('D-100')).toMatchObject({
      amountMinor: 1_200_050,
      currency: 'USD',
      status: 'won',
      emails: ['ana@acme.example', 'bob@acme.example'],
      accountDomain: 'acme.example',
      recurringInterval: 'year',
      termMonths: 12,
    });
    expect(stageNames(deals.get('D-100'))).toEqual(['Discovery', 'Proposal', 'Closed Won']);
    // Only the id: kept, every other field empty.
    expect(deals.get('D-102')).toMatchObject({
      name: null,
      amountMinor: null,
      stage: null,
      status: 'open',
      createdAt: null,
      history: [],
    });
    // 900.125 USD: three decimals, rounded half away from zero.
    expect(deals.get('D-103')?.amountMinor).toBe(90_013);
    const rates = await target.store.state.rates(target.workspace.id);
    // EUR 4,500 created 1 Feb 2027: the 1 Feb rate, 1.0790.
    expect(amountInCurrency(deals.get('D-101') as Deal, rates, 'USD', 'UTC')).toBe(485_550);
    expect(summary.pipelines).toEqual([
      { name: 'New business', stages: ['Discovery', 'Demo', 'Proposal', 'Closed Won'] },
      { name: 'Renewals', stages: ['Closed Lost'] },
    ]);
  });

  it('loads the HubSpot fixture, reading "Gagné" as won and listing it', async () => {
    const target = await freshStore();
    const summary = await run(target, 'hubspot', [fixturePath('hubspot', 'deals.csv')]);
    expect(summary).toMatchObject({ dealsCreated: 4, rejected: [] });
    const deals = await dealsById(target);
    expect([...deals.values()].map((deal) => [deal.externalId, deal.status]).sort()).toEqual([
      ['9001', 'won'],
      ['9002', 'open'],
      ['9003', 'lost'],
      ['9004', 'won'],
    ]);
    expect(stageNames(deals.get('9001'))).toEqual([
      'Appointment Scheduled',
      'Qualified To Buy',
      'Contract Sent',
      'Closed Won',
    ]);
    expect(deals.get('9002')?.contactIds).toEqual(['1051', '1251']);
    expect(quirk(summary, 'stage "Gagné" read as won')).toEqual({
      kind: 'stage "Gagné" read as won',
      deals: 1,
      examples: ['9004'],
    });
    expect(summary.pipelines).toEqual([
      {
        name: 'Sales Pipeline',
        stages: [
          'Appointment Scheduled',
          'Qualified To Buy',
          'Contract Sent',
          'Closed Won',
          'Closed Lost',
        ],
      },
      { name: 'Pipeline France', stages: ['Nouveau', 'Gagné'] },
    ]);
  });

  it('loads the Pipedrive fixture: a deleted deal skipped, EUR without a rate listed', async () => {
    const target = await freshStore();
    const summary = await run(target, 'pipedrive', [fixturePath('pipedrive', 'deals.csv')]);
    expect(summary).toMatchObject({
      dealsCreated: 3,
      rejected: [],
      skipped: [{ file: 'deals.csv', line: 5, reason: 'deleted in Pipedrive' }],
      unconverted: [{ currency: 'EUR', deals: 1 }],
    });
    const deals = await dealsById(target);
    expect(deals.get('41')).toMatchObject({
      status: 'won',
      stage: 'Negotiations Started',
      currency: 'EUR',
    });
    // No history to order them by: the names place negotiation after demos and proposals.
    const stages = summary.pipelines[0]?.stages ?? [];
    expect(stages.at(-1)).toBe('Negotiations Started');
    expect(new Set(stages.slice(0, 2))).toEqual(new Set(['Demo Scheduled', 'Proposal Made']));
  });

  it('loads any CSV through a column map, with its history and day-first dates', async () => {
    const target = await freshStore();
    const mapping = JSON.parse(readFileSync(own('mapped', 'mapping.json'), 'utf8'));
    const summary = await importDeals({
      format: createMappedFormat(mapping),
      files: [own('mapped', 'opportunities.csv'), own('mapped', 'changes.csv')],
      strict: false,
      workspace: target.workspace,
      state: target.store.state,
      now,
    });
    expect(summary).toMatchObject({ format: 'map', dealsCreated: 3, rejected: [] });
    const deals = await dealsById(target);
    expect(deals.get('OPP-1')).toMatchObject({
      source: 'map',
      name: 'Acme roll-out',
      amountMinor: 125_000,
      currency: 'EUR',
      status: 'won',
      createdAt: { at: Date.parse('2027-02-03T00:00:00Z'), dateOnly: true },
      closedAt: { at: Date.parse('2027-02-28T00:00:00Z'), dateOnly: true },
      emails: ['ana@acme.example'],
    });
    expect(stageNames(deals.get('OPP-1'))).toEqual(['Intro', 'Trial', 'Signed']);
    expect(deals.get('OPP-3')).toMatchObject({ name: 'Initech', stage: null, amountMinor: null });
    expect(summary.pipelines).toEqual([{ name: 'default', stages: ['Intro', 'Trial', 'Signed'] }]);
  });
});

describe('importDeals: quirks and rejected rows', () => {
  const quirkFiles = [
    own('quirks', 'deals.csv'),
    own('quirks', 'stage_history.csv'),
    own('quirks', 'rates.csv'),
  ];

  it('refuses a dollar amount with a blank currency in a yen workspace, naming the column', async () => {
    const target = await freshStore('JPY');
    const csv = ['deal_id,amount,currency', 'Y1,"$1,200.50",', 'Y2,1200,'].join('\n');
    const summary = await run(target, 'closedloop', [file('yen.csv', `${csv}\n`)]);
    expect(summary.rejected).toEqual([
      {
        file: 'yen.csv',
        line: 2,
        field: 'currency',
        message:
          'expected the currency of the amount "$1,200.50" (a blank one means JPY), got an empty field',
      },
    ]);
    expect(summary.dealsCreated).toBe(1);
  });

  it('refuses a second, different rate for a currency on one day, and counts a repeat once', async () => {
    const target = await freshStore();
    const csv = [
      'date,currency,rate',
      '2027-01-01,EUR,1.1',
      '2027-01-01,EUR,1.1',
      '2027-01-01,EUR,1.2',
      '2027-01-02,EUR,1.2',
    ].join('\n');
    const path = file('rates-twice.csv', `${csv}\n`);
    const summary = await run(target, 'closedloop', [path]);
    expect(summary.ratesSaved).toBe(2);
    expect(summary.rejected).toEqual([
      {
        file: 'rates-twice.csv',
        line: 4,
        field: 'rate',
        message:
          'expected one rate for EUR on that date; rates-twice.csv:2 gives 1.1, this row 1.2',
      },
    ]);
    const rates = await target.store.state.rates(target.workspace.id);
    expect(rates.map((rate) => rate.rate)).toEqual([1.1, 1.2]);
  });

  it('refuses a currency no ISO 4217 code names, in deals and in rates, and a rate for the workspace currency other than 1', async () => {
    const target = await freshStore('USD');
    const deals = file('eud.csv', 'deal_id,amount,currency\nE1,100,EUD\nE2,100,eur\n');
    const rates = file(
      'rates-odd.csv',
      // A rate table lists its base currency at 1 beside the others: passed over, not refused.
      'date,currency,rate\n2025-01-03,EUD,1.1\n2025-01-03,usd,2\n2025-01-03,EUR,1.1\n2025-01-03,USD,1\n',
    );
    const summary = await run(target, 'closedloop', [deals, rates]);
    expect(summary.rejected).toEqual([
      {
        file: 'eud.csv',
        line: 2,
        field: 'currency',
        message: 'expected an ISO 4217 code such as EUR, got "EUD"',
      },
      {
        file: 'rates-odd.csv',
        line: 2,
        field: 'currency',
        message: 'expected an ISO 4217 code such as EUR, got "EUD"',
      },
      {
        file: 'rates-odd.csv',
        line: 3,
        field: 'currency',
        message:
          "expected a currency other than the workspace's own, USD, whose rate is 1 by definition; got USD at 2",
      },
    ]);
    expect(summary).toMatchObject({ dealsCreated: 1, ratesSaved: 1 });
    expect([...(await dealsById(target)).keys()]).toEqual(['E2']);
    const stored = await target.store.state.rates(target.workspace.id);
    expect(stored.map((rate) => [rate.currency, rate.rate])).toEqual([['EUR', 1.1]]);
  });

  it('refuses a rate that differs from the one stored for that currency and day, and counts an equal one unchanged', async () => {
    const target = await freshStore();
    const first = file(
      'rates-1.csv',
      'date,currency,rate\n2027-01-01,EUR,1.1\n2027-01-02,EUR,1.2\n',
    );
    expect(await run(target, 'closedloop', [first])).toMatchObject({
      ratesSaved: 2,
      ratesUnchanged: 0,
    });
    const second = file(
      'rates-2.csv',
      'date,currency,rate\n2027-01-01,EUR,1.1\n2027-01-02,EUR,1.25\n2027-01-03,EUR,1.3\n',
    );
    await expect(run(target, 'closedloop', [second], { strict: true })).rejects.toMatchObject({
      code: 'CL_ERR_CSV_FIELD',
      message:
        'rates-2.csv:3: rate: expected one rate for EUR on that date; the one imported before is 1.2, this row 1.25 (--strict: nothing was imported)',
    });
    const summary = await run(target, 'closedloop', [second]);
    expect(summary).toMatchObject({ ratesSaved: 1, ratesUnchanged: 1 });
    expect(summary.rejected).toEqual([
      {
        file: 'rates-2.csv',
        line: 3,
        field: 'rate',
        message:
          'expected one rate for EUR on that date; the one imported before is 1.2, this row 1.25',
      },
    ]);
    const stored = await target.store.state.rates(target.workspace.id);
    expect(stored.map((rate) => rate.rate)).toEqual([1.1, 1.2, 1.3]);
    // The same file again: nothing to save, nothing refused.
    expect(await run(target, 'closedloop', [first])).toMatchObject({
      ratesSaved: 0,
      ratesUnchanged: 2,
      rejected: [],
    });
  });

  it('with a column map that states no date order, refuses a slash date whose day and month could swap', async () => {
    const target = await freshStore();
    const summary = await importDeals({
      format: createMappedFormat({ deals: { deal_id: 'Opportunity #', created_at: 'Opened' } }),
      files: [file('opps.csv', 'Opportunity #,Opened\nOP-1,03/04/2027\nOP-2,15/04/2027\n')],
      strict: false,
      workspace: target.workspace,
      state: target.store.state,
      now,
    });
    expect(summary.rejected).toEqual([
      {
        file: 'opps.csv',
        line: 2,
        field: 'Opened',
        message:
          'expected a date whose day and month cannot be swapped, got "03/04/2027"; write it in ISO 8601 such as 2027-03-01, or with --map give the order as "dates": "DD/MM/YYYY" or "MM/DD/YYYY"',
      },
    ]);
    const deals = await dealsById(target);
    expect(deals.has('OP-1')).toBe(false);
    expect(deals.get('OP-2')?.createdAt).toEqual({ at: Date.UTC(2027, 3, 15), dateOnly: true });
  });

  it('refuses a slash date in the canonical format rather than reading it month first', async () => {
    const target = await freshStore();
    const path = file('slash.csv', 'deal_id,created_at\nSL,03/04/2027\nOK,2027-04-03\n');
    const summary = await run(target, 'closedloop', [path]);
    expect(summary.rejected).toEqual([
      {
        file: 'slash.csv',
        line: 2,
        field: 'created_at',
        message: 'expected an ISO 8601 date such as 2027-03-01, got "03/04/2027"',
      },
    ]);
    expect([...(await dealsById(target)).keys()]).toEqual(['OK']);
  });

  it('lists a deal whose rows disagree, keeping the later row, and not one repeated alike', async () => {
    const target = await freshStore();
    const header = 'deal_id,created_at,amount,currency,status,closed_at,stage';
    const csv = [
      header,
      'D1,2027-01-01,100,USD,open,,Demo',
      'D1,2027-01-01,250,USD,won,2027-01-05,Won',
      'D2,2027-01-01,100,USD,open,,Demo',
      'D2,2027-01-01,100,USD,open,,Demo',
    ].join('\n');
    const summary = await run(target, 'closedloop', [file('repeated.csv', `${csv}\n`)]);
    expect(summary.quirks).toEqual([{ kind: repeatedDealQuirk, deals: 1, examples: ['D1'] }]);
    const deals = await dealsById(target);
    expect(deals.get('D1')).toMatchObject({ status: 'won', amountMinor: 25_000 });
  });

  it('keeps the deals real exports get wrong, and lists what is odd about them', async () => {
    const target = await freshStore();
    const summary = await run(target, 'closedloop', quirkFiles);
    expect(summary.dealsCreated).toBe(9);
    expect(summary.quirks).toEqual([
      { kind: 'closed before created', deals: 1, examples: ['Q-1'] },
      { kind: 'duplicate history rows', deals: 1, examples: ['Q-2'] },
      { kind: 'stage "Gagné" read as won', deals: 1, examples: ['Q-3'] },
      { kind: 'stage "Perdu" read as lost', deals: 1, examples: ['Q-4'] },
      { kind: 'amount rounded to minor units', deals: 2, examples: ['Q-5', 'Q-6'] },
    ]);
    expect(summary.unconverted).toEqual([{ currency: 'CHF', deals: 1 }]);
    // The next import reports its own deals, not the CHF deal still waiting for a rate.
    const usd = file('usd.csv', 'deal_id,amount,currency\nU-1,100,USD\n');
    expect((await run(target, 'closedloop', [usd])).unconverted).toEqual([]);
    const deals = await dealsById(target);
    expect(deals.get('Q-1')).toMatchObject({
      status: 'won',
      createdAt: { at: Date.parse('2027-03-05T10:00:00Z'), dateOnly: false },
      closedAt: { at: Date.parse('2027-03-01T00:00:00Z'), dateOnly: true },
    });
    expect(stageNames(deals.get('Q-2'))).toEqual(['Discovery', 'Proposal']);
    expect(deals.get('Q-3')).toMatchObject({ status: 'won', pipeline: 'France' });
    expect(deals.get('Q-4')).toMatchObject({ status: 'lost', pipeline: 'France' });
    expect(deals.get('Q-5')).toMatchObject({ amountMinor: 1235, currency: 'JPY' });
    expect(deals.get('Q-6')).toMatchObject({ amountMinor: 10_000, currency: 'USD' });
    // A date-only close on the creation day is no quirk.
    expect(deals.get('Q-11')?.status).toBe('lost');
    // CHF has no rate: kept in its own currency, out of money totals.
    const rates = await target.store.state.rates(target.workspace.id);
    expect(deals.get('Q-7')).toMatchObject({
      amountMinor: 500_000,
      currency: 'CHF',
      status: 'won',
    });
    expect(amountInCurrency(deals.get('Q-7') as Deal, rates, 'USD', 'UTC')).toBeNull();
    expect(amountInCurrency(deals.get('Q-5') as Deal, rates, 'USD', 'UTC')).toBe(827);
    expect(summary.pipelines.find((pipeline) => pipeline.name === 'France')?.stages).toEqual([
      'Nouveau',
      'Gagné',
      'Perdu',
    ]);
  });

  it('lists rejected rows with file, line and field, and imports the rest', async () => {
    const target = await freshStore();
    const summary = await run(target, 'closedloop', quirkFiles);
    expect(summary.rejected).toEqual([
      {
        file: 'deals.csv',
        line: 10,
        field: 'amount',
        message: 'expected a number such as 1234.50, got "12,34"',
      },
      {
        file: 'deals.csv',
        line: 11,
        field: 'created_at',
        message: 'expected an ISO 8601 date such as 2027-03-01, got "yesterday"',
      },
      {
        file: 'stage_history.csv',
        line: 9,
        field: 'deal id',
        message: 'no deal "Q-404" in the deals file or the store',
      },
    ]);
    const deals = await dealsById(target);
    expect(deals.has('Q-9')).toBe(false);
    expect(deals.has('Q-404')).toBe(false);
    expect(deals.size).toBe(9);
  });

  it('with strict, stops at the first bad row and writes nothing', async () => {
    const target = await freshStore();
    await expect(run(target, 'closedloop', quirkFiles, { strict: true })).rejects.toMatchObject({
      code: 'CL_ERR_CSV_FIELD',
      message:
        'deals.csv:10: amount: expected a number such as 1234.50, got "12,34" (--strict: nothing was imported)',
    });
    expect(await target.store.state.deals(target.workspace.id)).toEqual([]);
    expect(await target.store.state.rates(target.workspace.id)).toEqual([]);
    expect(await target.store.state.pipelines(target.workspace.id)).toEqual([]);
  });

  it('with strict, a history row for a deal that exists nowhere rolls everything back', async () => {
    const target = await freshStore();
    const deals = file('strict-deals.csv', 'deal_id,stage\nS-1,Demo\n');
    const history = file(
      'strict-history.csv',
      'deal_id,stage,entered_at\nS-1,Demo,2027-01-01\nS-2,Demo,2027-01-02\n',
    );
    const rates = file('strict-rates.csv', 'date,currency,rate\n2027-01-01,EUR,1.1\n');
    await expect(
      run(target, 'closedloop', [deals, history, rates], { strict: true }),
    ).rejects.toMatchObject({
      code: 'CL_ERR_CSV_FIELD',
      message:
        'strict-history.csv:3: deal id: no deal "S-2" in the deals file or the store (--strict: nothing was imported)',
    });
    expect(await target.store.state.deals(target.workspace.id)).toEqual([]);
    expect(await target.store.state.rates(target.workspace.id)).toEqual([]);
    expect(await target.store.state.pipelines(target.workspace.id)).toEqual([]);
  });

  it('takes history rows for a deal imported before, from the store', async () => {
    const target = await freshStore();
    await run(target, 'closedloop', [file('first.csv', 'deal_id,stage\nH-1,Demo\n')]);
    const summary = await run(target, 'closedloop', [
      file(
        'later-history.csv',
        'deal_id,stage,entered_at\nH-1,Intro,2027-01-01\nH-1,Demo,2027-01-09\n',
      ),
    ]);
    expect(summary).toMatchObject({ dealsCreated: 0, dealsUpdated: 1, rejected: [] });
    expect(stageNames((await dealsById(target)).get('H-1'))).toEqual(['Intro', 'Demo']);
  });

  it('reports the line a row starts on when a quoted field spans lines', async () => {
    const target = await freshStore();
    const path = file(
      'multiline.csv',
      'deal_id,name,amount\r\nM-1,"two\r\nlines",10\r\nM-2,fine,ten\r\n',
    );
    const summary = await run(target, 'closedloop', [path]);
    expect(summary.rejected).toEqual([
      {
        file: 'multiline.csv',
        line: 4,
        field: 'amount',
        message: 'expected a number such as 1234.50, got "ten"',
      },
    ]);
  });
});

describe('importDeals: importing again', () => {
  const closedloop = (name: string) => fixturePath('closedloop', name);
  const files = [closedloop('deals.csv'), closedloop('stage_history.csv'), closedloop('rates.csv')];

  it('changes nothing, not even the time of the write, when the same files come again', async () => {
    for (const [format, paths] of [
      ['closedloop', files],
      ['hubspot', [fixturePath('hubspot', 'deals.csv')]],
      ['pipedrive', [fixturePath('pipedrive', 'deals.csv')]],
      [
        'salesforce',
        ['Opportunity.csv', 'OpportunityHistory.csv', 'rates.csv'].map((name) =>
          fixturePath('salesforce-multicurrency', name),
        ),
      ],
      [
        'salesforce',
        [
          sharedDataPath('salesforce-demo', 'Opportunity.csv'),
          sharedDataPath('salesforce-demo', 'OpportunityHistory.csv'),
        ],
      ],
    ] as const) {
      const target = await freshStore();
      const first = await run(target, format, [...paths]);
      const before = await target.store.state.deals(target.workspace.id);
      const pipelines = await target.store.state.pipelines(target.workspace.id);
      const again = await run(target, format, [...paths], { now: now + 7 * day });
      expect([format, again.dealsCreated, again.dealsUpdated, again.dealsUnchanged]).toEqual([
        format,
        0,
        0,
        first.dealsCreated,
      ]);
      expect(again.pipelines).toEqual([]);
      expect(await target.store.state.deals(target.workspace.id)).toEqual(before);
      expect(await target.store.state.pipelines(target.workspace.id)).toEqual(pipelines);
    }
  });

  it('appends a changed amount to the amount history', async () => {
    const target = await freshStore();
    await run(target, 'closedloop', files);
    const changed = file(
      'deals-changed.csv',
      readFileSync(closedloop('deals.csv'), 'utf8').replace('4500,EUR', '5200.00,EUR'),
    );
    const summary = await run(target, 'closedloop', [changed], { now: now + day });
    expect(summary).toMatchObject({ dealsCreated: 0, dealsUpdated: 1, dealsUnchanged: 3 });
    const deal = (await dealsById(target)).get('D-101');
    expect(deal?.amountMinor).toBe(520_000);
    expect(deal?.amountHistory).toEqual([
      {
        at: { at: Date.parse('2027-02-01T00:00:00Z'), dateOnly: true },
        minor: 450_000,
        currency: 'EUR',
      },
      { at: { at: now + day, dateOnly: false }, minor: 520_000, currency: 'EUR' },
    ]);
  });

  it('keeps a re-opened deal with its history, and lists it', async () => {
    const target = await freshStore();
    await run(target, 'closedloop', files);
    const reopened = file(
      'deals-reopened.csv',
      'deal_id,status,stage,closed_at\nD-100,open,Negotiation,\n',
    );
    const summary = await run(target, 'closedloop', [reopened], { now: now + day });
    expect(summary.quirks).toEqual([{ kind: 're-opened', deals: 1, examples: ['D-100'] }]);
    const deal = (await dealsById(target)).get('D-100');
    expect(deal).toMatchObject({ status: 'open', stage: 'Negotiation', closedAt: null });
    expect(deal?.history.map((entry) => [entry.stage, entry.enteredAt.at])).toEqual([
      ['Discovery', Date.parse('2027-01-10T09:30:00Z')],
      ['Proposal', Date.parse('2027-02-02T13:00:00Z')],
      ['Closed Won', Date.parse('2027-03-01T00:00:00Z')],
      ['Negotiation', now + day],
    ]);
    // The new stage joins the pipeline before the closing ones.
    expect(summary.pipelines).toEqual([
      {
        name: 'New business',
        stages: ['Discovery', 'Demo', 'Proposal', 'Negotiation', 'Closed Won'],
      },
    ]);
  });

  it('reads a Latin-1 file given as such without the accents going wrong', async () => {
    const target = await freshStore();
    const path = file(
      'latin1.csv',
      iconv.encode('deal_id,name,stage\nL-1,Crème brûlée SARL,Gagné\n', 'latin1'),
    );
    const summary = await run(target, 'closedloop', [path], { encoding: 'latin1' });
    expect(summary.files[0]?.encoding).toBe('latin1');
    expect((await dealsById(target)).get('L-1')).toMatchObject({
      name: 'Crème brûlée SARL',
      stage: 'Gagné',
      status: 'won',
    });
  });
});
