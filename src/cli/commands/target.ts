import type { Command } from 'commander';
import { parseStoreConfig, type RawStoreOptions } from '../../config.js';
import { ClosedloopError } from '../../core/errors.js';
import { targetPeriod } from '../../core/forecast/targets.js';
import { decimalToMinor, formatMoney, minorDigits, minorToMajor } from '../../core/money.js';
import { namedByFlag } from '../exit.js';
import { resolveWorkspace, withStore } from '../store-access.js';

interface RawSetOptions extends RawStoreOptions {
  period: string;
  amount: string;
  json?: boolean;
}

export function registerTarget(program: Command): void {
  const target = program
    .command('target')
    .description(
      'revenue targets per month, quarter or year, which the forecast is measured against',
    );
  target
    .command('set')
    .description('set (or replace) the revenue target of a period')
    .requiredOption('--period <period>', 'a year (2027), a quarter (2027-Q1) or a month (2027-03)')
    .requiredOption('--amount <amount>', 'in major units of the workspace currency, e.g. 250000')
    .option('--db <path>', 'SQLite file (default ./data/closedloop.db)')
    .option('--workspace <id|name>', 'workspace (default: the only one)')
    .option('--json', 'print one JSON document')
    .action(async (options: RawSetOptions) => {
      const config = parseStoreConfig(options, process.env);
      const saved = await withStore(config, async ({ state }) => {
        const workspace = await resolveWorkspace(state, config.workspace);
        // Commas only as thousands separators, and no more decimals than the currency has:
        // "1,5" or "1000.5" yen would otherwise be read as another amount, without a word.
        const text = options.amount.trim();
        const written = /^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/.test(text);
        const minor = written
          ? decimalToMinor(text.replaceAll(',', ''), minorDigits(workspace.currency))
          : undefined;
        if (minor === undefined || minor.minor < 0 || minor.rounded) {
          throw new ClosedloopError(
            'CL_ERR_USAGE',
            `--amount: expected an amount in ${workspace.currency} such as 250000 or 1250.50, got "${options.amount}"`,
          );
        }
        const period = targetPeriod(options.period);
        await state
          .setTarget(workspace.id, { period, amountMinor: minor.minor })
          .catch((error: unknown) => {
            throw namedByFlag(error, { period: '--period' });
          });
        return {
          period,
          amount: minorToMajor(minor.minor, workspace.currency),
          currency: workspace.currency,
        };
      });
      process.stdout.write(
        options.json === true
          ? `${JSON.stringify(saved)}\n`
          : `target ${saved.period}: ${formatMoney(saved.amount, saved.currency)}\n`,
      );
    });
  target
    .command('list')
    .description('list the revenue targets')
    .option('--db <path>', 'SQLite file (default ./data/closedloop.db)')
    .option('--workspace <id|name>', 'workspace (default: the only one)')
    .option('--json', 'print one JSON document')
    .action(async (options: RawStoreOptions & { json?: boolean }) => {
      const config = parseStoreConfig(options, process.env);
      const listed = await withStore(config, async ({ state }) => {
        const workspace = await resolveWorkspace(state, config.workspace);
        return (await state.targets(workspace.id)).map((t) => ({
          period: t.period,
          amount: minorToMajor(t.amountMinor, workspace.currency),
          currency: workspace.currency,
        }));
      });
      process.stdout.write(
        options.json === true
          ? `${JSON.stringify(listed)}\n`
          : listed.map((t) => `${t.period}  ${formatMoney(t.amount, t.currency)}\n`).join(''),
      );
    });
}
