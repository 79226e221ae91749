import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAttributeConfig } from '../../config.js';
import { openSqliteStore } from '../../store/sqlite/open.js';
import { collectIntoFile } from '../../test-support/collector.js';
import { blankDraft } from '../../test-support/deals.js';
import { runCli } from '../../test-support/run-cli.js';
import { sharedDataPath } from '../../test-support/shared-data.js';
import { tempDirectory, tempFiles } from '../../test-support/temp-files.js';
import { runAttribute } from './attribute.js';

const file = tempFiles();
const dataCsv = sharedDataPath('channelattribution', 'Data.csv');

describe('closedloop attribute', () => {
  it('prints exactly the documented JSON document', () => {
    const result = runCli(['attribute', '--paths', dataCsv, '--models', 'first,markov', '--json']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report)).toEqual(['totals', 'models', 'removal_effects']);
    expect(report.totals).toEqual({
      conversions: 19_785,
      value: expect.closeTo(74_802.971587, 5),
      paths: expect.any(Number),
      journeys: 88_387,
    });
    expect(Object.keys(report.models)).toEqual(['first', 'markov']);
    const channels = report.models.first.map((credit: { channel: string }) => credit.channel);
    expect(channels).toEqual([...channels].sort());
    expect(channels).toHaveLength(12);
    expect(Object.keys(report.models.first[0])).toEqual(['channel', 'conversions', 'value']);
    expect(report.models.first[0]).toEqual({
      channel: 'alpha',
      conversions: 6308,
      value: expect.closeTo(19_121.2724, 3),
    });
    expect(Object.keys(report.removal_effects)).toEqual(channels);
  });

  it('runs every model the input allows by default and prints readable tables', () => {
    const result = runCli(['attribute', '--paths', dataCsv]);
    expect(result.status).toBe(0);
    const header = result.stdout.split('\n').find((line) => line.includes('conversions')) ?? '';
    for (const model of [
      'first',
      'last',
      'last_non_direct',
      'linear',
      'position',
      'markov',
      'shapley',
    ]) {
      expect(header).toContain(` ${model} `);
    }
    // Path-level input has no timestamps and no milestones.
    expect(header).not.toContain('time_decay');
    expect(header).not.toContain('w_shaped');
    expect(result.stdout).toMatch(/│ total\s+│ 19,785\.0/);
  });

  it('attributes touchpoints with a lookback window and renamed columns', () => {
    const touchpoints = file(
      'touches.csv',
      'cookie,time,channel,conversion,conversion_value\nu,2026-01-01,Display,0,\nu,2026-01-20,Email,1,10\n',
    );
    const args = [
      'attribute',
      '--touchpoints',
      touchpoints,
      '--map',
      'journey_id=cookie,timestamp=time',
      '--json',
    ];
    const all = JSON.parse(runCli([...args, '--models', 'first']).stdout);
    expect(all.models.first).toEqual([
      { channel: 'Display', conversions: 1, value: 10 },
      { channel: 'Email', conversions: 0, value: 0 },
    ]);
    const windowed = JSON.parse(
      runCli([...args, '--models', 'first,time_decay', '--lookback-days', '7']).stdout,
    );
    expect(windowed.models.first).toEqual([
      { channel: 'Display', conversions: 0, value: 0 },
      { channel: 'Email', conversions: 1, value: 10 },
    ]);
    expect(Object.keys(windowed.models)).toEqual(['first', 'time_decay']);
  });

  const badInput: [string, string[], RegExp][] = [
    [
      'both inputs',
      ['--paths', dataCsv, '--touchpoints', dataCsv],
      /CL_ERR_USAGE: attribute: give one of --paths FILE or --touchpoints FILE, not both/,
    ],
    [
      'no input and no database',
      ['--db', '/nonexistent/closedloop.db'],
      /CL_ERR_FILE_NOT_FOUND: --db: no database at \/nonexistent\/closedloop\.db/,
    ],
    [
      'a file and a database',
      ['--paths', dataCsv, '--db', 'x.db'],
      /CL_ERR_USAGE: attribute: --db and --workspace read stored journeys/,
    ],
    [
      'a missing file',
      ['--paths', '/nonexistent.csv'],
      /CL_ERR_FILE_NOT_FOUND: \/nonexistent\.csv: no such file/,
    ],
    [
      'an unknown model',
      ['--paths', dataCsv, '--models', 'first,magic'],
      /CL_ERR_UNKNOWN_MODEL: --models: unknown model "magic"/,
    ],
    [
      'position weights over 1',
      ['--paths', dataCsv, '--models', 'position', '--position-weights', 'first=0.7'],
      /CL_ERR_MODEL_OPTION: --position-weights: first \(0\.7\) and last \(0\.4\) weights add up to more than 1/,
    ],
    [
      'an order out of range',
      ['--paths', dataCsv, '--order', '9'],
      /CL_ERR_USAGE: --order: expected a whole number from 1 to 4, got "9"/,
    ],
    [
      'an unknown flag',
      ['--paths', dataCsv, '--colour'],
      /CL_ERR_USAGE: unknown option '--colour'/,
    ],
    [
      'time decay on paths',
      ['--paths', dataCsv, '--models', 'time_decay'],
      /CL_ERR_MODEL_INPUT: time_decay: needs a timestamp/,
    ],
    [
      'bad custom weights',
      ['--paths', dataCsv, '--models', 'custom', '--weights', 'first=x'],
      /CL_ERR_USAGE: --weights: weight of first must be a number ≥ 0, got "x"/,
    ],
    [
      'a map without touchpoints',
      ['--paths', dataCsv, '--map', 'journey_id=a'],
      /CL_ERR_USAGE: --map: renames touchpoint columns/,
    ],
  ];
  for (const [what, args, message] of badInput) {
    it(`exits 1 with one readable line on ${what}`, () => {
      const result = runCli(['attribute', ...args, '--json']);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('exits 1 naming file and line for a bad row', () => {
    const bad = file('bad.csv', 'path;total_conversions\na > b;1\nc;lots\n');
    const result = runCli(['attribute', '--paths', bad]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `closedloop: CL_ERR_CSV_FIELD: ${bad}:3: total_conversions: expected a number ≥ 0, got "lots"\n`,
    );
  });

  it('exits 1 naming file and line for a row with more fields than the header', () => {
    // The unquoted `1,250.00` would shift total_null's column onto "250.00".
    const paths = file(
      'thousands.csv',
      'path,total_conversions,total_conversion_value,total_null\na>b,2,1,250.00,7\n',
    );
    const touchpoints = file(
      'extra.csv',
      'journey_id,timestamp,channel,conversion\nu,2026-01-01,Email,0\nu,2026-01-02,Email,1,9\n',
    );
    for (const [flag, input, expected] of [
      ['--paths', paths, `${paths}:2: expected 4 fields as in the header, got 5`],
      ['--touchpoints', touchpoints, `${touchpoints}:3: expected 4 fields as in the header, got 5`],
    ]) {
      const result = runCli(['attribute', flag, input, '--models', 'first', '--json']);
      expect(result.status, flag).toBe(1);
      expect(result.stdout, flag).toBe('');
      expect(result.stderr, flag).toBe(`closedloop: CL_ERR_CSV_SYNTAX: ${expected}\n`);
    }
    // Fewer fields than the header still read as empty trailing fields.
    const short = file('short.csv', 'path,total_conversions,total_null\na>b,2\n');
    const result = runCli(['attribute', '--paths', short, '--models', 'first', '--json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).totals.conversions).toBe(2);
  });

  it('attributes the journeys stored by the collector, people over devices, bots left out', async () => {
    const db = join(tempDirectory(), 'stored.db');
    const at = (hours: number) => new Date(Date.UTC(2026, 6, 1) + hours * 3_600_000).toISOString();
    const page = (
      id: string,
      anonymousId: string,
      hours: number,
      url: string,
      extra: { referrer?: string; userAgent?: string } = {},
    ) => ({
      type: 'page',
      messageId: id,
      anonymousId,
      timestamp: at(hours),
      context: { page: { url, referrer: extra.referrer }, userAgent: extra.userAgent },
    });
    await collectIntoFile(db, 'stored', [
      page(
        's1',
        'phone',
        0,
        'https://acme.com/?utm_source=newsletter&utm_medium=email&utm_campaign=x',
      ),
      page('s2', 'laptop', 5, 'https://acme.com/?utm_source=google&utm_medium=cpc&utm_campaign=y'),
      {
        type: 'track',
        event: 'form_submit',
        anonymousId: 'laptop',
        messageId: 's3',
        timestamp: at(5.1),
        properties: { email: 'ada@acme.example' },
      },
      {
        type: 'identify',
        anonymousId: 'phone',
        messageId: 's4',
        timestamp: at(30),
        traits: { email: 'ada@acme.example' },
      },
      page('s5', 'crawler', 1, 'https://acme.com/', {
        userAgent: 'Googlebot/2.1 (+http://www.google.com/bot.html)',
      }),
      page('s6', 'stranger', 2, 'https://acme.com/', { referrer: 'https://www.bing.com/' }),
    ]);
    const result = runCli([
      'attribute',
      '--db',
      db,
      '--workspace',
      'stored',
      '--models',
      'first,last,linear',
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    // Ada's two devices make one converting journey, the stranger a null, the bot nothing.
    expect(report.totals).toEqual({ conversions: 1, value: 0, paths: 2, journeys: 2 });
    expect(report.models.first).toEqual([
      { channel: 'Email', conversions: 1, value: 0 },
      { channel: 'Organic Search', conversions: 0, value: 0 },
      { channel: 'Paid Search', conversions: 0, value: 0 },
    ]);
    expect(
      report.models.linear.find((c: { channel: string }) => c.channel === 'Paid Search')
        .conversions,
    ).toBe(0.5);
  });

  it("keeps stored journeys within the workspace's lookback window unless told another", async () => {
    const db = join(tempDirectory(), 'window.db');
    const at = (days: number) => new Date(Date.UTC(2026, 0, 1) + days * 86_400_000).toISOString();
    await collectIntoFile(db, 'window', [
      {
        type: 'page',
        messageId: 'old',
        anonymousId: 'v',
        timestamp: at(0),
        context: { page: { url: 'https://acme.com/?utm_source=newsletter&utm_medium=email' } },
      },
      {
        type: 'page',
        messageId: 'recent',
        anonymousId: 'v',
        timestamp: at(110),
        context: { page: { url: 'https://acme.com/?utm_source=google&utm_medium=cpc' } },
      },
      {
        type: 'identify',
        messageId: 'lead',
        anonymousId: 'v',
        timestamp: at(120),
        traits: { email: 'window@acme.example' },
      },
    ]);
    const firstTouch = async (lookbackDays?: string) => {
      const report = await runAttribute(
        parseAttributeConfig({ db, workspace: 'window', models: 'first', lookbackDays }),
      );
      return report.models.first?.filter((credit) => credit.conversions > 0).map((c) => c.channel);
    };
    // The newsletter visit was 120 days before the lead: outside the default 90-day window.
    expect(await firstTouch()).toEqual(['Paid Search']);
    expect(await firstTouch('365')).toEqual(['Email']);
  });

  it('totals deal revenue exactly: ten cents and twenty cents make thirty', async () => {
    const db = join(tempDirectory(), 'cents.db');
    const store = await openSqliteStore(db);
    const workspace = await store.state.ensureDefaultWorkspace();
    const won = (id: string, amountMinor: number) =>
      blankDraft(id, {
        amountMinor,
        currency: 'USD',
        status: 'won',
        createdAt: { at: Date.UTC(2027, 0, 4), dateOnly: false },
        closedAt: { at: Date.UTC(2027, 1, 4), dateOnly: false },
      });
    await store.state.mergeDeals(workspace.id, 'test', ['a', 'b'], () => [
      won('a', 10),
      won('b', 20),
    ]);
    await store.close();
    const report = await runAttribute(
      parseAttributeConfig({ db, milestone: 'won', models: 'first' }),
    );
    expect(report.totals).toMatchObject({ conversions: 2, value: 0.3 });
  });

  it('exits 1 for a directory, and 2 when the input cannot be read', () => {
    const directory = runCli(['attribute', '--paths', '/']);
    expect(directory.status).toBe(1);
    expect(directory.stderr).toBe('closedloop: CL_ERR_USAGE: /: is a directory; expected a file\n');
    const loop = join(tempDirectory(), 'loop.csv');
    symlinkSync(loop, loop);
    const unreadable = runCli(['attribute', '--paths', loop]);
    expect(unreadable.status).toBe(2);
    expect(unreadable.stderr).toBe(`closedloop: CL_ERR_FILE_READ: ${loop}: cannot read (ELOOP)\n`);
  });
});
