import type { Command } from 'commander';
import { parseStoreConfig, type RawStoreOptions } from '../../config.js';
import { checkedDay, checkedPastDay, checkedSpan } from '../../core/as-of.js';
import { ClosedloopError } from '../../core/errors.js';
import { wholeNumber } from '../../core/whole-number.js';
import { closedloopFormat } from '../../crm/formats/closedloop.js';
import { importDeals } from '../../crm/import/import-deals.js';
import { backtestReport } from '../../server/reports/backtest.js';
import { openSqliteStore } from '../../store/sqlite/open.js';
import { namedByFlag } from '../exit.js';
import { formatBacktest } from '../output/backtest-table.js';
import { progressBar } from '../output/progress.js';
import { resolveWorkspace, withStore } from '../store-access.js';

interface RawBacktestOptions extends RawStoreOptions {
  from?: string;
  to?: string;
  every?: string;
  horizon?: string;
  seed?: string;
  draws?: string;
  deals?: string;
  stages?: string;
  rates?: string;
  currency?: string;
  json?: boolean;
}

export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description(
      'replay history: forecast from past dates with what was known then, compare with what was won',
    )
    .requiredOption('--from <date>', 'first as-of date (YYYY-MM-DD)')
    .requiredOption('--to <date>', 'last as-of date (YYYY-MM-DD)')
    .option('--every <months>', 'months between as-of dates', '1')
    .option('--horizon <months>', 'months forecast from each as-of date', '3')
    .option('--seed <n>', 'random seed', '1')
    .option('--draws <n>', 'Monte Carlo draws per forecast', '10000')
    .option('--deals <file>', 'backtest a deals.csv in the closedloop format instead of the store')
    .option('--stages <file>', 'with --deals: its stage_history.csv')
    .option('--rates <file>', 'with --deals: its rates.csv')
    // No commander default: the store has its own currency, so a --currency given there is refused.
    .option('--currency <code>', 'with --deals: the currency to report in (default USD)')
    .option('--db <path>', 'SQLite file (default ./data/closedloop.db)')
    .option('--workspace <id|name>', 'workspace (default: the only one)')
    .option('--json', 'print one JSON document')
    .action(async (options: RawBacktestOptions) => {
      const from = checkedDay('--from', options.from);
      const to = checkedPastDay('--to', checkedDay('--to', options.to));
      checkedSpan({ name: '--from', day: from }, { name: '--to', day: to });
      if (
        options.deals === undefined &&
        (options.stages !== undefined || options.rates !== undefined)
      ) {
        throw new ClosedloopError('CL_ERR_USAGE', '--stages and --rates go with --deals');
      }
      if (options.deals === undefined && options.currency !== undefined) {
        throw new ClosedloopError(
          'CL_ERR_USAGE',
          "--currency goes with --deals (the store reports in its workspace's currency)",
        );
      }
      if (
        options.deals !== undefined &&
        (options.db !== undefined || options.workspace !== undefined)
      ) {
        throw new ClosedloopError(
          'CL_ERR_USAGE',
          '--deals reads files; leave out --db and --workspace',
        );
      }
      const request = {
        from,
        to,
        every: wholeNumber('--every', options.every, 1, 24),
        horizon: wholeNumber('--horizon', options.horizon, 1, 24),
        seed: wholeNumber('--seed', options.seed, 0, 2 ** 31),
        draws: wholeNumber('--draws', options.draws, 100, 1_000_000),
      };
      const bar = progressBar('backtesting', 'as-of dates');
      try {
        // A span before any deal is refused naming `to`: here the flag is --to.
        const named = (error: unknown) => {
          throw namedByFlag(error, { to: '--to' });
        };
        const report =
          options.deals === undefined
            ? await withStore(parseStoreConfig(options, process.env), async ({ state }) => {
                const workspace = await resolveWorkspace(state, options.workspace);
                return backtestReport(state, workspace, { ...request, onProgress: bar?.update });
              }).catch(named)
            : await backtestFiles(options, { ...request, onProgress: bar?.update }).catch(named);
        bar?.stop();
        process.stdout.write(
          options.json === true ? `${JSON.stringify(report)}\n` : formatBacktest(report),
        );
      } finally {
        bar?.stop();
      }
    });
}

/** Files in the canonical format, read into a private in-memory store, months in UTC. */
async function backtestFiles(
  options: RawBacktestOptions,
  request: Parameters<typeof backtestReport>[2],
) {
  const store = await openSqliteStore(':memory:');
  try {
    const { workspace } = await store.state
      .createWorkspace('backtest', { currency: options.currency ?? 'USD', timeZone: 'UTC' })
      .catch((error: unknown) => {
        throw namedByFlag(error, { currency: '--currency' });
      });
    const files = [options.deals, options.stages, options.rates].filter(
      (file): file is string => file !== undefined,
    );
    const summary = await importDeals({
      format: closedloopFormat,
      files,
      strict: false,
      workspace,
      state: store.state,
    });
    for (const row of summary.rejected) {
      process.stderr.write(
        `closedloop: left out ${row.file}:${row.line}: ${row.field}: ${row.message}\n`,
      );
    }
    if (summary.dealsCreated === 0) {
      throw new ClosedloopError(
        'CL_ERR_MODEL_INPUT',
        `--deals: ${options.deals} holds no deal to backtest`,
      );
    }
    return await backtestReport(store.state, workspace, request);
  } finally {
    await store.close();
  }
}
