import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test-support/run-cli.js';
import { tempDirectory } from '../../test-support/temp-files.js';

const db = join(tempDirectory(), 'targets.db');

describe('closedloop target', () => {
  it('sets targets per year, quarter and month, replacing, and lists them', () => {
    for (const [period, amount] of [
      ['2027', '1,200,000'],
      ['2027-q1', '250000'],
      ['2027-03', '90000.50'],
      ['2027-Q1', '300000'],
    ]) {
      const result = runCli(['target', 'set', '--period', period, '--amount', amount, '--db', db]);
      expect(result.status, result.stderr).toBe(0);
    }
    const listed = runCli(['target', 'list', '--db', db, '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      { period: '2027', amount: 1_200_000, currency: 'USD' },
      { period: '2027-03', amount: 90_000.5, currency: 'USD' },
      { period: '2027-Q1', amount: 300_000, currency: 'USD' },
    ]);
    expect(runCli(['target', 'list', '--db', db]).stdout).toContain('2027-Q1  USD 300,000.00');
    const asJson = runCli([
      'target',
      'set',
      '--period',
      '2027-03',
      '--amount',
      '90000.50',
      '--db',
      db,
      '--json',
    ]);
    expect(JSON.parse(asJson.stdout)).toEqual({
      period: '2027-03',
      amount: 90_000.5,
      currency: 'USD',
    });
  });

  it('refuses a malformed period or amount with one line', () => {
    for (const [args, pattern] of [
      [
        ['--period', '2027-13', '--amount', '1'],
        /CL_ERR_CONFIG: --period: expected a year \(2027\)/,
      ],
      [['--period', 'next year', '--amount', '1'], /CL_ERR_CONFIG: --period: /],
      [
        ['--period', '2027', '--amount', 'lots'],
        /CL_ERR_USAGE: --amount: expected an amount in USD/,
      ],
      [['--period', '2027', '--amount', '-5'], /CL_ERR_USAGE: --amount/],
      // Commas only between thousands, and no more decimals than the currency has.
      [['--period', '2027', '--amount', '250.000,00'], /CL_ERR_USAGE: --amount: .*"250.000,00"/],
      [['--period', '2027', '--amount', '1,5'], /CL_ERR_USAGE: --amount: .*"1,5"/],
      [['--period', '2027', '--amount', '12,34,56.7'], /CL_ERR_USAGE: --amount/],
      [['--period', '2027', '--amount', '1000.555'], /CL_ERR_USAGE: --amount: .*"1000.555"/],
      [['--period', '2027'], /CL_ERR_USAGE: .*--amount/],
    ] as const) {
      const result = runCli(['target', 'set', ...args, '--db', db]);
      expect(result.status, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
