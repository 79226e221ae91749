import type { Command } from 'commander';
import { parseStoreConfig, type RawStoreOptions } from '../../config.js';
import { checkedDay, checkedSpan, parseAsOf } from '../../core/as-of.js';
import { ClosedloopError } from '../../core/errors.js';
import type { PeriodFilter } from '../../core/funnel/types.js';
import { funnelReport } from '../../server/reports/funnel.js';
import { namedByFlag } from '../exit.js';
import { formatFunnel } from '../output/funnel-table.js';
import { resolveWorkspace, withStore } from '../store-access.js';

interface RawFunnelOptions extends RawStoreOptions {
  pipeline?: string;
  asOf?: string;
  createdFrom?: string;
  createdTo?: string;
  closedFrom?: string;
  closedTo?: string;
  segment?: string;
  json?: boolean;
}

export function registerFunnel(program: Command): void {
  program
    .command('funnel')
    .description('funnel statistics of a pipeline: stages, win rate, time to close, deal sizes')
    .option('--pipeline <name>', 'pipeline (default: the only one, or "default")')
    .option(
      '--as-of <date>',
      'as of this date (default: just after the latest date in the data, at most now)',
    )
    .option('--created-from <date>', 'only deals created on or after this day')
    .option('--created-to <date>', 'only deals created on or before this day')
    .option('--closed-from <date>', 'only deals closed on or after this day')
    .option('--closed-to <date>', 'only deals closed on or before this day')
    .option('--segment <name>', 'only deals of this segment')
    .option('--db <path>', 'SQLite file (default ./data/closedloop.db)')
    .option('--workspace <id|name>', 'workspace (default: the only one)')
    .option('--json', 'print one JSON document')
    .action(async (options: RawFunnelOptions) => {
      const config = parseStoreConfig(options, process.env);
      const period = parsePeriod(options);
      const report = await withStore(config, async ({ events, state }) => {
        const workspace = await resolveWorkspace(state, config.workspace);
        return funnelReport(events, state, workspace, {
          pipeline: options.pipeline,
          asOf:
            options.asOf === undefined ? undefined : parseAsOf(options.asOf, workspace.timeZone),
          period,
          segment: options.segment,
        }).catch((error: unknown) => {
          throw namedByFlag(error, { pipeline: '--pipeline', segment: '--segment' });
        });
      });
      process.stdout.write(
        options.json === true ? `${JSON.stringify(report)}\n` : formatFunnel(report),
      );
    });
}

function parsePeriod(options: RawFunnelOptions): PeriodFilter | undefined {
  const created = options.createdFrom !== undefined || options.createdTo !== undefined;
  const closed = options.closedFrom !== undefined || options.closedTo !== undefined;
  if (created && closed) {
    throw new ClosedloopError(
      'CL_ERR_USAGE',
      '--created-from/--created-to and --closed-from/--closed-to: give one period, not both',
    );
  }
  if (!created && !closed) return undefined;
  const by = created ? 'created' : 'closed';
  const from = created ? options.createdFrom : options.closedFrom;
  const to = created ? options.createdTo : options.closedTo;
  if (from !== undefined) checkedDay(`--${by}-from`, from);
  if (to !== undefined) checkedDay(`--${by}-to`, to);
  if (from !== undefined && to !== undefined) {
    checkedSpan({ name: `--${by}-from`, day: from }, { name: `--${by}-to`, day: to });
  }
  return { by, from: from ?? '0000-01-01', to: to ?? '9999-12-31' };
}
