import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test-support/run-cli.js';
import { readSharedCsv, sharedDataPath } from '../../test-support/shared-data.js';
import { tempDirectory, tempFiles } from '../../test-support/temp-files.js';

const dir = tempDirectory();
const db = join(dir, 'maven.db');
const imported = runCli([
  'import',
  'deals',
  sharedDataPath('maven-crm', 'sales_pipeline.csv'),
  '--format',
  'maven',
  '--db',
  db,
]);

interface Band {
  p10: number;
  p50: number;
  p90: number;
  mean: number;
}

describe('closedloop forecast', () => {
  it('forecasts each month with ordered bands, explains every open deal, and weighs targets', () => {
    expect(imported.status, imported.stderr).toBe(0);
    const set = runCli(['target', 'set', '--period', '2018-Q1', '--amount', '1500000', '--db', db]);
    expect(set.status, set.stderr).toBe(0);
    const result = runCli(['forecast', '--db', db, '--horizon', '3', '--draws', '2000', '--json']);
    expect(result.status, result.stderr).toBe(0);
    const forecast = JSON.parse(result.stdout);
    expect(forecast).toMatchObject({
      asOf: '2018-01-01T00:00:00.000Z',
      by: 'month',
      currency: 'USD',
    });
    expect(forecast.periods.map((p: { period: string }) => p.period)).toEqual([
      '2018-01',
      '2018-02',
      '2018-03',
    ]);
    for (const period of forecast.periods as {
      revenue: Band;
      count: Band;
      fromOpenDeals: Band;
      fromNewPipeline: Band;
    }[]) {
      expect(period.revenue.p10).toBeLessThanOrEqual(period.revenue.p50);
      expect(period.revenue.p50).toBeLessThanOrEqual(period.revenue.p90);
      expect(period.revenue.mean).toBeGreaterThan(0);
      // The two sources add up to the whole (nothing was won yet in these months).
      expect(period.fromOpenDeals.mean + period.fromNewPipeline.mean).toBeCloseTo(
        period.revenue.mean,
        0,
      );
    }
    expect(forecast.deals).toHaveLength(2089);
    for (const deal of forecast.deals.slice(0, 20)) {
      expect(deal.winChance).toBeGreaterThanOrEqual(0);
      expect(deal.winChance).toBeLessThanOrEqual(1);
      expect(deal.reason).toMatch(/days in stage/);
      expect(typeof deal.externalId).toBe('string');
    }
    const [target] = forecast.targets;
    expect(target).toMatchObject({ period: '2018-Q1', amount: 1_500_000, complete: true });
    expect(target.probability).toBeGreaterThanOrEqual(0);
    expect(target.probability).toBeLessThanOrEqual(1);
  });

  it('sums months into quarters, and is the same for the same seed', () => {
    const args = ['forecast', '--db', db, '--horizon', '3', '--draws', '1000', '--json'];
    const months = JSON.parse(runCli(args).stdout);
    const again = JSON.parse(runCli(args).stdout);
    expect(again.periods).toEqual(months.periods);
    const quarters = JSON.parse(runCli([...args, '--by', 'quarter']).stdout);
    expect(quarters.periods.map((p: { period: string }) => p.period)).toEqual(['2018-Q1']);
    const monthMeans = months.periods.reduce(
      (sum: number, p: { revenue: Band }) => sum + p.revenue.mean,
      0,
    );
    expect(quarters.periods[0].revenue.mean).toBeCloseTo(monthMeans, 0);
    const text = runCli(['forecast', '--db', db, '--horizon', '2', '--draws', '500']);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('2018-01');
    // Two months of the quarter are no judge of its target.
    expect(text.stdout).toContain(
      'target 2018-Q1 USD 1,500,000.00: not judged: the horizon covers it to 2018-02 only; --horizon 3 judges it',
    );
  });

  it('refuses bad flags, and a workspace without deals, with one line', () => {
    for (const [args, pattern] of [
      [['--by', 'week'], /--by: expected month, quarter or year/],
      [['--model', 'magic'], /--model: expected one of first, last/],
      [
        ['--model', 'custom'],
        /--model: expected one of first, last, last_non_direct, linear, time_decay, position, w_shaped, full_path, j_shaped, inverse_j, markov, shapley, shapley_simplified, got "custom"/,
      ],
      [['--horizon', '0'], /--horizon: expected a whole number from 1 to 60/],
      [['--as-of', 'someday'], /--as-of: expected a date/],
    ] as const) {
      const result = runCli(['forecast', '--db', db, ...args]);
      expect(result.status, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    const empty = runCli(['forecast', '--db', join(dir, 'empty.db')]);
    expect(empty.status).toBe(1);
    expect(empty.stderr).toMatch(/no deals yet/);
  });
});

describe('closedloop backtest', () => {
  it('replays Maven history: actuals as the CSV has them, baselines beside, open months marked', () => {
    const result = runCli([
      'backtest',
      '--db',
      db,
      '--from',
      '2017-10-01',
      '--to',
      '2017-12-01',
      '--horizon',
      '2',
      '--draws',
      '1000',
      '--json',
    ]);
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.asOf).toEqual(['2017-10-01', '2017-11-01', '2017-12-01']);
    expect(report.horizon).toBe(2);
    expect(Object.keys(report.metrics)).toEqual([
      'closedloop',
      'weighted_pipeline',
      'trailing_average',
      'last_month',
    ]);
    expect(report.metrics.weighted_pipeline.revenue.coverage80).toBeNull();
    const rows = readSharedCsv('maven-crm', 'sales_pipeline.csv').filter(
      (row) => row.deal_stage === 'Won',
    );
    const wonIn = (month: string) => rows.filter((row) => row.close_date?.startsWith(month));
    for (const row of report.rows) {
      if (row.period === '2018-01') {
        expect(row.complete).toBe(false);
        continue;
      }
      expect(row.complete).toBe(true);
      const won = wonIn(row.period);
      const expected =
        row.metric === 'count'
          ? won.length
          : won.reduce((sum, r) => sum + Number(r.close_value), 0);
      expect(row.actual, `${row.metric} ${row.period}`).toBe(expected);
      expect(row.p10).toBeLessThanOrEqual(row.p90);
    }
  });

  it('refuses a span before the data, naming --to', () => {
    const result = runCli(['backtest', '--db', db, '--from', '2015-01-01', '--to', '2015-03-01']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'closedloop: CL_ERR_MODEL_INPUT: --to: no deal was known yet as of 2015-03-01 (the data starts on 2016-10-20): there is nothing to forecast from\n',
    );
  });

  it('backtests files in the canonical format without a store, and refuses bad flags', () => {
    const file = tempFiles();
    const lines = ['deal_id,created_at,amount,currency,status,closed_at,stage'];
    for (let i = 0; i < 120; i++) {
      const month = 1 + (i % 12);
      const created = `2026-${String(month).padStart(2, '0')}-${String(1 + (i % 20)).padStart(2, '0')}`;
      const won = i % 3 !== 0;
      const close = `2026-${String(Math.min(12, month + 1)).padStart(2, '0')}-25`;
      lines.push(
        i >= 110
          ? `D${i},${created},${1000 + i},USD,open,,Demo`
          : `D${i},${created},${1000 + i},USD,${won ? 'won' : 'lost'},${close},${won ? 'Won' : 'Lost'}`,
      );
    }
    const deals = file('deals.csv', `${lines.join('\n')}\n`);
    const result = runCli([
      'backtest',
      '--deals',
      deals,
      '--from',
      '2026-09-01',
      '--to',
      '2026-10-01',
      '--horizon',
      '1',
      '--draws',
      '500',
      '--json',
    ]);
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.asOf).toEqual(['2026-09-01', '2026-10-01']);
    expect(report.rows.filter((row: { metric: string }) => row.metric === 'count')).toHaveLength(2);
    for (const [args, pattern] of [
      [['--from', 'June', '--to', '2026-10-01'], /--from: expected a date/],
      [
        ['--from', '2026-09-01', '--to', '2026-10-01', '--stages', deals],
        /--stages and --rates go with --deals/,
      ],
      [
        ['--from', '2026-09-01', '--to', '2026-10-01', '--deals', deals, '--db', db],
        /leave out --db/,
      ],
      [
        ['--from', '2026-09-01', '--to', '2026-10-01', '--deals', deals, '--every', '0'],
        /--every: expected a whole number/,
      ],
      [
        ['--from', '2026-09-01', '--to', '2026-10-01', '--deals', deals, '--currency', 'usd'],
        /CL_ERR_CONFIG: --currency: "usd" is not an ISO 4217 code in use/,
      ],
    ] as const) {
      const bad = runCli(['backtest', ...args]);
      expect(bad.status, args.join(' ')).toBe(1);
      expect(bad.stderr).toMatch(pattern);
    }
  });
});
