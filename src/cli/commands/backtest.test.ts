import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test-support/run-cli.js';
import { tempDirectory, tempFiles } from '../../test-support/temp-files.js';

const dir = tempDirectory();
const file = tempFiles();

/** A year of 2025 deals in the canonical format: won and lost each month, a few left open. */
function dealsCsv(): string {
  const lines = ['deal_id,created_at,amount,currency,status,closed_at,stage'];
  for (let i = 0; i < 120; i++) {
    const month = String(1 + (i % 12)).padStart(2, '0');
    const created = `2025-${month}-${String(1 + (i % 20)).padStart(2, '0')}`;
    const won = i % 3 !== 0;
    const close = `2025-${String(Math.min(12, 2 + (i % 12))).padStart(2, '0')}-25`;
    lines.push(
      i >= 110
        ? `D${i},${created},${1000 + i},USD,open,,Demo`
        : `D${i},${created},${1000 + i},USD,${won ? 'won' : 'lost'},${close},${won ? 'Won' : 'Lost'}`,
    );
  }
  return file('deals.csv', `${lines.join('\n')}\n`);
}

const span = ['--from', '2025-09-01', '--to', '2025-10-01', '--horizon', '1', '--draws', '500'];

describe('closedloop backtest --currency', () => {
  it('is refused on the store, whose workspace has its own currency, as --stages and --rates are', () => {
    const deals = dealsCsv();
    const db = join(dir, 'store.db');
    const imported = runCli(['import', 'deals', deals, '--format', 'closedloop', '--db', db]);
    expect(imported.status, imported.stderr).toBe(0);
    const store = runCli(['backtest', '--db', db, ...span, '--json']);
    expect(store.status, store.stderr).toBe(0);

    const refused = runCli(['backtest', '--db', db, ...span, '--currency', 'EUR', '--json']);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      "closedloop: CL_ERR_USAGE: --currency goes with --deals (the store reports in its workspace's currency)\n",
    );
  });

  it('with --deals, reports in USD unless given another', () => {
    const deals = dealsCsv();
    const report = (...currency: string[]) => {
      const result = runCli(['backtest', '--deals', deals, ...span, ...currency, '--json']);
      expect(result.status, result.stderr).toBe(0);
      return JSON.parse(result.stdout);
    };
    expect(report()).toMatchObject({ currency: 'USD', hasAmounts: true });
    // The file's USD amounts have no rate to EUR: counts only.
    expect(report('--currency', 'EUR')).toMatchObject({ currency: 'EUR', hasAmounts: false });
  });
});
