import type { Command } from 'commander';
import { parseStoreConfig, type RawStoreOptions } from '../../config.js';
import { parseAsOf } from '../../core/as-of.js';
import { ClosedloopError } from '../../core/errors.js';
import { wholeNumber } from '../../core/whole-number.js';
import {
  forecastModelNames,
  forecastReport,
  isForecastModel,
  type PeriodKind,
} from '../../server/reports/forecast.js';
import { formatForecast } from '../output/forecast-table.js';
import { resolveWorkspace, withStore } from '../store-access.js';

interface RawForecastOptions extends RawStoreOptions {
  asOf?: string;
  horizon?: string;
  by?: string;
  model?: string;
  draws?: string;
  seed?: string;
  json?: boolean;
}

const periodKinds: readonly PeriodKind[] = ['month', 'quarter', 'year'];

export function registerForecast(program: Command): void {
  program
    .command('forecast')
    .description('forecast revenue per month, quarter or year with P10–P90 bands, from the funnel')
    .option(
      '--as-of <date>',
      'forecast as of this date (default: just after the latest date in the data, at most now)',
    )
    .option('--horizon <months>', 'months to forecast, the as-of month first', '6')
    .option('--by <period>', 'month, quarter or year', 'month')
    .option('--model <name>', 'attribution model that splits revenue by channel', 'linear')
    .option('--draws <n>', 'Monte Carlo draws', '10000')
    .option('--seed <n>', 'random seed (the same seed gives the same forecast)', '1')
    .option('--db <path>', 'SQLite file (default ./data/closedloop.db)')
    .option('--workspace <id|name>', 'workspace (default: the only one)')
    .option('--json', 'print one JSON document')
    .action(async (options: RawForecastOptions) => {
      const config = parseStoreConfig(options, process.env);
      const by = options.by as PeriodKind;
      if (!periodKinds.includes(by)) {
        throw new ClosedloopError(
          'CL_ERR_USAGE',
          `--by: expected month, quarter or year, got "${options.by}"`,
        );
      }
      const model = options.model ?? 'linear';
      if (!isForecastModel(model)) {
        throw new ClosedloopError(
          'CL_ERR_USAGE',
          `--model: expected one of ${forecastModelNames.join(', ')}, got "${model}"`,
        );
      }
      const horizon = wholeNumber('--horizon', options.horizon, 1, 60);
      const draws = wholeNumber('--draws', options.draws, 100, 1_000_000);
      const seed = wholeNumber('--seed', options.seed, 0, 2 ** 31);
      const report = await withStore(config, async ({ events, state }) => {
        const workspace = await resolveWorkspace(state, config.workspace);
        // forecastReport refuses a workspace without deals, for the API as for the CLI.
        return forecastReport(events, state, workspace, {
          asOf:
            options.asOf === undefined ? undefined : parseAsOf(options.asOf, workspace.timeZone),
          horizon,
          by,
          model,
          draws,
          seed,
        });
      });
      process.stdout.write(
        options.json === true ? `${JSON.stringify(report)}\n` : formatForecast(report),
      );
    });
}
