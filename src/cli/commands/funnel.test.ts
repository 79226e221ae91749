import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test-support/run-cli.js';
import { readSharedCsv, sharedDataPath } from '../../test-support/shared-data.js';
import { tempDirectory } from '../../test-support/temp-files.js';

const dir = tempDirectory();
const db = join(dir, 'maven.db');
const maven = sharedDataPath('maven-crm', 'sales_pipeline.csv');

/** Win rate and median days to close of won deals, straight from the CSV rows. */
function expectedFromRows(): { won: number; lost: number; medianDays: number } {
  const rows = readSharedCsv('maven-crm', 'sales_pipeline.csv');
  const won = rows.filter((row) => row.deal_stage === 'Won');
  const lost = rows.filter((row) => row.deal_stage === 'Lost');
  const days = won
    .map(
      (row) => (Date.parse(row.close_date ?? '') - Date.parse(row.engage_date ?? '')) / 86_400_000,
    )
    .sort((a, b) => a - b);
  const middle = days.length / 2;
  const median =
    days.length % 2 === 1
      ? (days[Math.floor(middle)] as number)
      : ((days[middle - 1] as number) + (days[middle] as number)) / 2;
  return { won: won.length, lost: lost.length, medianDays: median };
}

describe('closedloop funnel', () => {
  it('gives the Maven win rate and median time to close the CSV itself gives', () => {
    const imported = runCli(['import', 'deals', maven, '--format', 'maven', '--db', db]);
    expect(imported.status, imported.stderr).toBe(0);
    const result = runCli(['funnel', '--db', db, '--json']);
    expect(result.status, result.stderr).toBe(0);
    const funnel = JSON.parse(result.stdout);
    const expected = expectedFromRows();
    expect(expected).toMatchObject({ won: 4238, lost: 2473 });
    expect(funnel.deals).toEqual({ total: 8800, open: 2089, won: 4238, lost: 2473 });
    expect(funnel.wonRevenue).toMatchObject({ amount: 10_005_534, currency: 'USD' });
    expect(funnel.winRate).toBeCloseTo(expected.won / (expected.won + expected.lost), 12);
    expect(funnel.timeToClose.median).toBe(expected.medianDays);
    expect(funnel.timeToClose.median).toBe(57);
    expect(funnel.asOf).toBe('2018-01-01T00:00:00.000Z');
    expect(funnel.stages.map((stage: { stage: string }) => stage.stage)).toEqual([
      'Prospecting',
      'Engaging',
    ]);
    for (const stage of funnel.stages) {
      expect(Number.isInteger(stage.entered) && Number.isInteger(stage.advanced)).toBe(true);
    }
    expect(funnel.timeToWinKM.median).toBeGreaterThan(57);
    expect(funnel.averageDealSize).toMatchObject({ amount: 2360.91, currency: 'USD' });
    expect(funnel.medianDealSize.currency).toBe('USD');
  });

  it('rewinds to an earlier date and filters by period and segment', () => {
    const early = JSON.parse(
      runCli(['funnel', '--db', db, '--as-of', '2017-04-01', '--json']).stdout,
    );
    expect(early.asOf).toBe('2017-04-01T00:00:00.000Z');
    expect(early.deals.total).toBeLessThan(8800);
    expect(early.deals.won).toBeLessThan(4238);
    const closedInMay = JSON.parse(
      runCli([
        'funnel',
        '--db',
        db,
        '--closed-from',
        '2017-05-01',
        '--closed-to',
        '2017-05-31',
        '--json',
      ]).stdout,
    );
    const rows = readSharedCsv('maven-crm', 'sales_pipeline.csv').filter(
      (row) => row.close_date?.startsWith('2017-05') === true,
    );
    expect(closedInMay.deals.won).toBe(rows.filter((row) => row.deal_stage === 'Won').length);
    expect(closedInMay.deals.lost).toBe(rows.filter((row) => row.deal_stage === 'Lost').length);
    const segment = JSON.parse(
      runCli(['funnel', '--db', db, '--segment', 'GTXPro', '--json']).stdout,
    );
    expect(segment.deals.total).toBe(
      readSharedCsv('maven-crm', 'sales_pipeline.csv').filter((row) => row.product === 'GTXPro')
        .length,
    );
    const text = runCli(['funnel', '--db', db]);
    expect(text.stdout).toContain('win rate: 63.2%');
    expect(text.stdout).toContain('median 57 days');
  });

  it('refuses bad input with one readable line', () => {
    for (const [args, pattern] of [
      [['--as-of', 'last week'], /CL_ERR_USAGE: --as-of: expected a date such as 2027-03-01/],
      [['--pipeline', 'Renewals'], /CL_ERR_NOT_FOUND: --pipeline: no pipeline named "Renewals"/],
      [['--created-from', '2017-01-01', '--closed-to', '2017-02-01'], /CL_ERR_USAGE: .*one period/],
      [['--closed-from', '01/05/2017'], /CL_ERR_USAGE: --closed-from: expected a date/],
    ] as const) {
      const result = runCli(['funnel', '--db', db, ...args]);
      expect(result.status, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    // A wrongly cased segment would otherwise be a funnel of zero deals.
    const segment = runCli(['funnel', '--db', db, '--segment', 'gtxpro', '--json']);
    expect(segment.status).toBe(1);
    expect(segment.stdout).toBe('');
    expect(segment.stderr).toBe(
      'closedloop: CL_ERR_NOT_FOUND: --segment: no segment named "gtxpro" in pipeline "default"; there are "GTK 500", "GTX Basic", "GTX Plus Basic", "GTX Plus Pro", "GTXPro", "MG Advanced", "MG Special"\n',
    );
    const empty = runCli(['funnel', '--db', join(dir, 'empty.db')]);
    expect(empty.status).toBe(1);
    expect(empty.stderr).toMatch(/no deals yet; import some/);
  });
});
