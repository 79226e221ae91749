import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../../crm/formats/fixtures/read-fixture.js';
import { openSqliteStore } from '../../store/sqlite/open.js';
import { runCli } from '../../test-support/run-cli.js';
import { sharedDataPath } from '../../test-support/shared-data.js';
import { tempDirectory, tempFiles } from '../../test-support/temp-files.js';

const dir = tempDirectory();
const file = tempFiles();
let dbs = 0;
const freshDb = () => join(dir, `import-${++dbs}.db`);
const own = (...parts: string[]) =>
  resolve(import.meta.dirname, '../../crm/import/fixtures', ...parts);
const multi = ['Opportunity.csv', 'OpportunityHistory.csv', 'rates.csv'].map((name) =>
  fixturePath('salesforce-multicurrency', name),
);

async function storedDeals(db: string) {
  const store = await openSqliteStore(db);
  try {
    const workspaces = await store.state.listWorkspaces();
    const deals = [];
    for (const workspace of workspaces) deals.push(...(await store.state.deals(workspace.id)));
    return deals;
  } finally {
    await store.close();
  }
}

/** One line on stderr, `closedloop: CL_ERR_...: ...`, nothing on stdout, exit 1. */
function expectOneErrorLine(result: ReturnType<typeof runCli>, pattern: RegExp): void {
  expect(result.status).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^closedloop: CL_ERR_[A-Z_]+: .+\n$/);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('closedloop import deals', () => {
  it('imports the Maven sample: 8,800 deals and its pipeline, and again idempotently', async () => {
    const db = freshDb();
    const path = sharedDataPath('maven-crm', 'sales_pipeline.csv');
    const result = runCli(['import', 'deals', path, '--format', 'maven', '--db', db, '--json']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({
      format: 'maven',
      workspace: 'default',
      rowsRead: 8800,
      dealsCreated: 8800,
      dealsUpdated: 0,
      rejected: [],
      pipelines: [{ name: 'default', stages: ['Prospecting', 'Engaging', 'Won', 'Lost'] }],
    });
    const deals = await storedDeals(db);
    const won = deals.filter((deal) => deal.status === 'won');
    expect(won.length).toBe(4238);
    expect(deals.filter((deal) => deal.status === 'lost').length).toBe(2473);
    expect(deals.filter((deal) => deal.status === 'open').length).toBe(2089);
    expect(won.reduce((sum, deal) => sum + (deal.amountMinor ?? 0), 0) / 100).toBe(10_005_534);

    const again = runCli(['import', 'deals', path, '--format', 'maven', '--db', db]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('deals created: 0, updated: 0, unchanged: 8,800');
    // Not written again: even the update times are as they were.
    expect(await storedDeals(db)).toEqual(deals);
  });

  it('imports the Salesforce demo export: 31 deals', async () => {
    const db = freshDb();
    const result = runCli([
      'import',
      'deals',
      sharedDataPath('salesforce-demo', 'Opportunity.csv'),
      sharedDataPath('salesforce-demo', 'OpportunityHistory.csv'),
      '--format',
      'salesforce',
      '--db',
      db,
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Opportunity.csv: deals, utf-8, 31 rows');
    expect(result.stdout).toContain('deals created: 31, updated: 0');
    expect(result.stdout).toMatch(/duplicate history rows: 31 deals/);
    expect((await storedDeals(db)).length).toBe(31);
  });

  it('imports the Latin-1 multi-currency export, detected or told, and refuses an unknown encoding', async () => {
    const detected = runCli([
      'import',
      'deals',
      ...multi,
      '--format',
      'salesforce',
      '--db',
      freshDb(),
    ]);
    expect(detected.status).toBe(0);
    expect(detected.stdout).toContain('Opportunity.csv: deals, windows-1252, 6 rows');
    expect(detected.stdout).toContain('exchange rates saved: 4');
    const db = freshDb();
    const told = runCli([
      'import',
      'deals',
      ...multi,
      '--format',
      'salesforce',
      '--encoding',
      'latin1',
      '--db',
      db,
      '--json',
    ]);
    expect(told.status).toBe(0);
    expect(JSON.parse(told.stdout).files.map((f: { encoding: string }) => f.encoding)).toEqual([
      'latin1',
      'latin1',
      'latin1',
    ]);
    const accounts = (await storedDeals(db)).map((deal) => deal.account);
    expect(accounts).toContain('Société Générale');
    expect(accounts).toContain('Åkesson & Söner AB');

    const bad = runCli([
      'import',
      'deals',
      ...multi,
      '--format',
      'salesforce',
      '--encoding',
      'latin-9000',
      '--db',
      freshDb(),
    ]);
    expectOneErrorLine(bad, /CL_ERR_USAGE: --encoding: .*got "latin-9000"/);
  });

  it('imports the closedloop, HubSpot and Pipedrive fixtures', () => {
    const closedloop = ['deals.csv', 'stage_history.csv', 'rates.csv'].map((name) =>
      fixturePath('closedloop', name),
    );
    for (const [format, paths, created] of [
      ['closedloop', closedloop, 4],
      ['hubspot', [fixturePath('hubspot', 'deals.csv')], 4],
      ['pipedrive', [fixturePath('pipedrive', 'deals.csv')], 3],
    ] as const) {
      const result = runCli([
        'import',
        'deals',
        ...paths,
        '--format',
        format,
        '--db',
        freshDb(),
        '--json',
      ]);
      expect([format, result.status, result.stderr]).toEqual([format, 0, '']);
      expect(JSON.parse(result.stdout)).toMatchObject({
        format,
        dealsCreated: created,
        rejected: [],
      });
    }
  });

  it("reads HubSpot's local times in the workspace's zone, or in the one --time-zone names", async () => {
    const hubspot = fixturePath('hubspot', 'deals.csv');
    const createdOf = async (db: string) =>
      (await storedDeals(db)).find((deal) => deal.externalId === '9001')?.createdAt;
    // Create Date "2027-01-05 10:00".
    const inWorkspaceZone = freshDb();
    expect(
      runCli(['workspace', 'settings', '--time-zone', 'Asia/Taipei', '--db', inWorkspaceZone])
        .status,
    ).toBe(0);
    expect(
      runCli(['import', 'deals', hubspot, '--format', 'hubspot', '--db', inWorkspaceZone]).status,
    ).toBe(0);
    expect(await createdOf(inWorkspaceZone)).toEqual({
      at: Date.UTC(2027, 0, 5, 2),
      dateOnly: false,
    });
    const importIn = (zone: string, db: string) =>
      runCli(['import', 'deals', hubspot, '--format', 'hubspot', '--time-zone', zone, '--db', db]);
    const told = freshDb();
    const result = importIn('America/Los_Angeles', told);
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(await createdOf(told)).toEqual({ at: Date.UTC(2027, 0, 5, 18), dateOnly: false });
    const untouched = join(dir, 'bad-zone.db');
    expectOneErrorLine(
      importIn('Mars/Olympus_Mons', untouched),
      /CL_ERR_USAGE: --time-zone: expected an IANA time zone such as America\/New_York, got "Mars\/Olympus_Mons"/,
    );
    expect(existsSync(untouched)).toBe(false);
    // Salesforce writes UTC: a zone would change nothing, so asking for one is a mistake.
    expectOneErrorLine(
      runCli([
        'import',
        'deals',
        ...multi,
        '--format',
        'salesforce',
        '--time-zone',
        'Europe/Paris',
        '--db',
        untouched,
      ]),
      /CL_ERR_USAGE: --time-zone: salesforce exports write UTC; the option is for hubspot, pipedrive and --map imports/,
    );
    expect(existsSync(untouched)).toBe(false);
  });

  it('imports any CSV with --map, and refuses a bad mapping naming its key', () => {
    const paths = [own('mapped', 'opportunities.csv'), own('mapped', 'changes.csv')];
    const result = runCli([
      'import',
      'deals',
      ...paths,
      '--map',
      own('mapped', 'mapping.json'),
      '--db',
      freshDb(),
      '--json',
    ]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      format: 'map',
      dealsCreated: 3,
      pipelines: [{ name: 'default', stages: ['Intro', 'Trial', 'Signed'] }],
    });
    const badMap = file('bad-map.json', JSON.stringify({ deals: { id: 'Opportunity #' } }));
    expectOneErrorLine(
      runCli(['import', 'deals', ...paths, '--map', badMap, '--db', freshDb()]),
      /CL_ERR_CONFIG: deals\.id: not a field/,
    );
    const notJson = file('not-json.json', '{deals:');
    expectOneErrorLine(
      runCli(['import', 'deals', ...paths, '--map', notJson, '--db', freshDb()]),
      /CL_ERR_USAGE: --map: .*not-json\.json: expected a JSON file/,
    );
  });

  it('lists quirks and rejected rows in the text summary, and exits 0', () => {
    const paths = ['deals.csv', 'stage_history.csv', 'rates.csv'].map((name) =>
      own('quirks', name),
    );
    const result = runCli([
      'import',
      'deals',
      ...paths,
      '--format',
      'closedloop',
      '--db',
      freshDb(),
    ]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines).toContain('  rows rejected: 3');
    expect(lines).toContain(
      '    deals.csv:10: amount: expected a number such as 1234.50, got "12,34"',
    );
    expect(lines).toContain(
      '    deals.csv:11: created_at: expected an ISO 8601 date such as 2027-03-01, got "yesterday"',
    );
    expect(lines).toContain(
      '    stage_history.csv:9: deal id: no deal "Q-404" in the deals file or the store',
    );
    expect(lines).toContain('  kept as they are:');
    expect(lines).toContain('    closed before created: 1 deal (e.g. Q-1)');
    expect(lines).toContain('    duplicate history rows: 1 deal (e.g. Q-2)');
    expect(lines).toContain('    stage "Gagné" read as won: 1 deal (e.g. Q-3)');
    expect(lines).toContain('    stage "Perdu" read as lost: 1 deal (e.g. Q-4)');
    expect(lines).toContain('    amount rounded to minor units: 2 deals (e.g. Q-5, Q-6)');
    expect(lines).toContain(
      '  1 deal in CHF has no exchange rate: kept, left out of money totals until a rate is imported',
    );
    expect(lines).toContain('  pipeline "France": Nouveau → Gagné → Perdu');
  });

  it('lists the same in --json', () => {
    const paths = ['deals.csv', 'stage_history.csv', 'rates.csv'].map((name) =>
      own('quirks', name),
    );
    const result = runCli([
      'import',
      'deals',
      ...paths,
      '--format',
      'closedloop',
      '--db',
      freshDb(),
      '--json',
    ]);
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.rejected).toHaveLength(3);
    expect(summary.rejected[0]).toEqual({
      file: 'deals.csv',
      line: 10,
      field: 'amount',
      message: 'expected a number such as 1234.50, got "12,34"',
    });
    expect(summary.quirks.map((q: { kind: string }) => q.kind)).toEqual([
      'closed before created',
      'duplicate history rows',
      'stage "Gagné" read as won',
      'stage "Perdu" read as lost',
      'amount rounded to minor units',
    ]);
    expect(summary.unconverted).toEqual([{ currency: 'CHF', deals: 1 }]);
  });

  it('with --strict, exits 1 with one line and writes no deal', async () => {
    const db = freshDb();
    const paths = ['deals.csv', 'stage_history.csv', 'rates.csv'].map((name) =>
      own('quirks', name),
    );
    const result = runCli([
      'import',
      'deals',
      ...paths,
      '--format',
      'closedloop',
      '--strict',
      '--db',
      db,
    ]);
    expect(result.stderr).toBe(
      'closedloop: CL_ERR_CSV_FIELD: deals.csv:10: amount: expected a number such as 1234.50, got "12,34" (--strict: nothing was imported)\n',
    );
    expectOneErrorLine(result, /--strict/);
    expect(await storedDeals(db)).toEqual([]);
    const clean = runCli([
      'import',
      'deals',
      fixturePath('hubspot', 'deals.csv'),
      '--format',
      'hubspot',
      '--strict',
      '--db',
      db,
    ]);
    expect(clean.status).toBe(0);
    expect((await storedDeals(db)).length).toBe(4);
  });

  it('rejects a row with a negative amount, with --strict and without', async () => {
    const csv = file(
      'negative.csv',
      [
        'deal_id,name,created_at,amount,currency,status,closed_at,pipeline,stage',
        'N-1,a,2026-01-05,7000,USD,won,2026-02-10,P,Won',
        'N-2,b,2026-01-05,-5000,USD,won,2026-02-10,P,Won',
        '',
      ].join('\n'),
    );
    const strictDb = freshDb();
    const strict = runCli([
      'import',
      'deals',
      csv,
      '--format',
      'closedloop',
      '--strict',
      '--db',
      strictDb,
    ]);
    expect(strict.stderr).toBe(
      'closedloop: CL_ERR_CSV_FIELD: negative.csv:3: amount: expected an amount of 0 or more, got "-5000" (--strict: nothing was imported)\n',
    );
    expectOneErrorLine(strict, /--strict/);
    expect(await storedDeals(strictDb)).toEqual([]);

    const db = freshDb();
    const result = runCli(['import', 'deals', csv, '--format', 'closedloop', '--db', db]);
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines).toContain('  rows rejected: 1');
    expect(lines).toContain(
      '    negative.csv:3: amount: expected an amount of 0 or more, got "-5000"',
    );
    expect(lines).not.toContain('  kept as they are:');
    expect((await storedDeals(db)).map((deal) => [deal.externalId, deal.amountMinor])).toEqual([
      ['N-1', 700000],
    ]);
  });

  it('keeps a row with only its id', async () => {
    const db = freshDb();
    const result = runCli([
      'import',
      'deals',
      file('ids.csv', 'deal_id\nONLY-1\n'),
      '--format',
      'closedloop',
      '--db',
      db,
    ]);
    expect(result.status).toBe(0);
    const [deal] = await storedDeals(db);
    expect(deal).toMatchObject({
      externalId: 'ONLY-1',
      status: 'open',
      amountMinor: null,
      stage: null,
    });
  });

  it('refuses bad input with one readable line and exit 1', async () => {
    const db = freshDb();
    const deals = fixturePath('closedloop', 'deals.csv');
    expectOneErrorLine(
      runCli(['import', 'deals', deals, '--format', 'excel', '--db', db]),
      /CL_ERR_USAGE: --format: expected one of closedloop, salesforce, hubspot, pipedrive, maven, got "excel"/,
    );
    expectOneErrorLine(
      runCli(['import', 'deals', deals, '--db', db]),
      /CL_ERR_USAGE: --format: expected one of/,
    );
    const untouched = join(dir, 'never-made.db');
    expectOneErrorLine(
      runCli([
        'import',
        'deals',
        join(dir, 'nope.csv'),
        '--format',
        'closedloop',
        '--db',
        untouched,
      ]),
      /CL_ERR_FILE_NOT_FOUND: .*nope\.csv: no such file/,
    );
    // A mistyped path creates no database.
    expect(existsSync(untouched)).toBe(false);
    expectOneErrorLine(
      runCli([
        'import',
        'deals',
        sharedDataPath('maven-crm', 'sales_pipeline.csv'),
        '--format',
        'salesforce',
        '--db',
        untouched,
      ]),
      /CL_ERR_CSV_HEADER: sales_pipeline\.csv: the header \(opportunity_id, sales_agent, .*\) is not one of a salesforce export's files/,
    );
    expectOneErrorLine(
      runCli([
        'import',
        'deals',
        file('empty.csv', ''),
        '--format',
        'closedloop',
        '--db',
        untouched,
      ]),
      /CL_ERR_CSV_HEADER: empty\.csv: the file is empty; expected a header row/,
    );
    // Nor does an export of another format, or an empty file.
    expect(existsSync(untouched)).toBe(false);
    expectOneErrorLine(
      runCli([
        'import',
        'deals',
        file('unclosed.csv', 'deal_id,name\nU-1,"fine"\nU-2,"never closed\nU-3,x\n'),
        '--format',
        'closedloop',
        '--db',
        db,
      ]),
      /CL_ERR_CSV_SYNTAX: unclosed\.csv:3: Quote Not Closed/,
    );
    // Windows-1252 past the first 64 KB of a file that began as UTF-8: stopped, nothing stored.
    const rows = Array.from({ length: 3000 }, (_, i) => `M-${i},Deal ${i} of a long export`);
    const mixed = file(
      'mixed.csv',
      Buffer.concat([
        Buffer.from(`deal_id,name\n${rows.join('\n')}\nM-x,M`),
        Buffer.from([0xfc]),
        Buffer.from('ller GmbH\n'),
      ]),
    );
    expectOneErrorLine(
      runCli(['import', 'deals', mixed, '--format', 'closedloop', '--db', db]),
      /CL_ERR_CSV_SYNTAX: mixed\.csv:3002: not UTF-8 text .*--encoding windows-1252/,
    );
    expect(await storedDeals(db)).toEqual([]);
    expectOneErrorLine(
      runCli(['import', 'deals', dir, '--format', 'closedloop', '--db', db]),
      /CL_ERR_USAGE: .*is a directory/,
    );
    expectOneErrorLine(
      runCli([
        'import',
        'deals',
        deals,
        '--format',
        'closedloop',
        '--map',
        own('mapped', 'mapping.json'),
        '--db',
        db,
      ]),
      /CL_ERR_USAGE: --map: give either --format or --map, not both/,
    );
  });
});
