import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import {
  type AttributeConfig,
  parseAttributeConfig,
  type RawAttributeOptions,
  type StoreConfig,
} from '../../config.js';
import { applyLookback } from '../../core/attribution/lookback.js';
import { createModel, defaultModels, traitsOf } from '../../core/attribution/registry.js';
import { type AttributionReport, attributeJourneys } from '../../core/attribution/report.js';
import type { DealMilestone } from '../../core/deal-milestones.js';
import { ClosedloopError } from '../../core/errors.js';
import { chunkBatch, type JourneyBatch } from '../../core/journey-batch.js';
import { minorDigits } from '../../core/money.js';
import { type DealJourneys, readDealJourneys } from '../../store/deal-journeys.js';
import { readJourneys } from '../../store/journeys.js';
import type { StateStore } from '../../store/ports.js';
import { namedByFlag } from '../exit.js';
import { readPathsFile } from '../input/read-paths.js';
import { readTouchpointsFile } from '../input/read-touchpoints.js';
import { formatAttributionTables } from '../output/attribution-table.js';
import { resolveWorkspace, withStore } from '../store-access.js';

const chunkJourneys = 65_536;

export function registerAttribute(program: Command): void {
  program
    .command('attribute')
    .description('credit conversions and value to channels under several attribution models')
    .option(
      '--db <path>',
      'read the journeys stored in this database (default ./data/closedloop.db)',
    )
    .option('--workspace <id|name>', 'workspace of the stored journeys (default: the only one)')
    .option(
      '--milestone <m>',
      "stored deals: credit each deal's lead, deal, won (revenue) or stage:NAME (pipeline)",
    )
    .option(
      '--account',
      "with --milestone: also count the touches of everyone at the deal's account",
    )
    .option(
      '--paths <file>',
      'path-level CSV: path, total_conversions, total_conversion_value, total_null',
    )
    .option(
      '--touchpoints <file>',
      'one row per touch: journey_id, timestamp, channel, conversion, conversion_value',
    )
    .option('--models <list>', 'comma-separated models (default: every model the input allows)')
    .option('--order <n>', 'Markov order, 1 to 4', '1')
    .option('--no-nulls', 'Markov: use converting paths only')
    .option('--sep <separator>', 'channel separator inside a path', '>')
    .option('--map <pairs>', 'rename touchpoint columns, e.g. journey_id=cookie,timestamp=time')
    .option('--lookback-days <n>', 'only touches at most N days before the conversion')
    .option('--lookback-steps <n>', 'only the last N touches before the conversion')
    .option('--half-life <days>', 'time_decay half-life in days', '7')
    .option('--position-weights <pairs>', 'position model weights, e.g. first=0.4,last=0.4')
    .option(
      '--weights <pairs>',
      'custom model weights by position: first, last, lead, deal, won, middle',
    )
    .option('--json', 'print one JSON document')
    .action(async (options: RawAttributeOptions) => {
      try {
        const config = parseAttributeConfig(options, process.env);
        const report = await runAttribute(config);
        process.stdout.write(
          config.json ? `${JSON.stringify(report)}\n` : formatAttributionTables(report),
        );
      } catch (error) {
        // The models' errors name their option (`models: …`); the user typed a flag.
        throw namedByFlag(error, { models: '--models', position: '--position-weights' });
      }
    });
}

/** Credits; deals credited at a milestone add the workspace `currency` their value is money in. */
export async function runAttribute(
  config: AttributeConfig,
): Promise<AttributionReport & { readonly currency?: string }> {
  if (config.input.kind === 'store') {
    return config.input.milestone === undefined
      ? attributeStored(config, config.input.store)
      : attributeDeals(
          config,
          config.input.store,
          config.input.milestone,
          config.input.accountMode,
        );
  }
  const input =
    config.input.kind === 'paths'
      ? readPathsFile(config.input.file, config.separator)
      : readTouchpointsFile(config.input.file, config.columnMap);
  return attributeBatches([input.batch], input.paths, config);
}

function requireDatabase(store: StoreConfig): void {
  if (store.dbPath !== ':memory:' && !existsSync(store.dbPath)) {
    throw new ClosedloopError(
      'CL_ERR_FILE_NOT_FOUND',
      `--db: no database at ${store.dbPath}; give --paths, --touchpoints, or the database \`closedloop serve\` writes`,
    );
  }
}

/**
 * Deals credited at a milestone: each deal's journey is its people's touches up to the moment it
 * reached it, its value the deal's amount in the workspace currency, which the report names. Lookback defaults to the
 * workspace's window, counted back from that moment.
 */
async function attributeDeals(
  config: AttributeConfig,
  store: StoreConfig,
  milestone: DealMilestone,
  accountMode: boolean,
): Promise<
  AttributionReport & {
    currency: string;
    deals: Pick<DealJourneys, 'deals' | 'unattributed' | 'withoutValue'>;
  }
> {
  requireDatabase(store);
  const read = await withStore(store, async ({ events, state }) => {
    const workspace = await resolveWorkspace(state, store.workspace);
    if (milestone.kind === 'stage') await requireStage(state, workspace.id, milestone.stage);
    return {
      workspace,
      journeys: await readDealJourneys(events, state, workspace, { milestone, accountMode }),
    };
  });
  const { batch, deals, unattributed, withoutValue } = read.journeys;
  const report = attributeBatches([batch], new Set(pathKeysOf(batch)).size, {
    ...config,
    lookbackDays: config.lookbackDays ?? read.workspace.lookbackDays,
  });
  // Every deal is a whole number of minor units: so is their total, whatever float sums left
  // ($0.10 + $0.20 is 0.30, not 0.30000000000000004). Credits are shares, and stay fractional.
  const cents = 10 ** minorDigits(read.workspace.currency);
  const value = Math.round(report.totals.value * cents) / cents;
  return {
    ...report,
    totals: { ...report.totals, value },
    // The value is money: the table prints it with the currency's decimals and code.
    currency: read.workspace.currency,
    deals: { deals, unattributed, withoutValue },
  };
}

/** A stage no pipeline has would credit nothing, silently: a typo or the wrong case is refused. */
async function requireStage(state: StateStore, workspaceId: string, stage: string): Promise<void> {
  const stages = [
    ...new Set((await state.pipelines(workspaceId)).flatMap((p) => p.stages.map((s) => s.name))),
  ];
  if (stages.includes(stage)) return;
  const listed =
    stages.length === 0 ? 'the workspace has no pipeline yet' : `stages: ${stages.join(', ')}`;
  throw new ClosedloopError(
    'CL_ERR_USAGE',
    `--milestone: no pipeline has a stage ${JSON.stringify(stage)} (${listed})`,
  );
}

/**
 * The journeys of a workspace: people over all their devices up to their lead, bots left out,
 * within the workspace's lookback window unless the command gives its own, as deals are.
 */
async function attributeStored(
  config: AttributeConfig,
  store: StoreConfig,
): Promise<AttributionReport> {
  requireDatabase(store);
  const { batches, lookbackDays } = await withStore(store, async ({ events, state }) => {
    const workspace = await resolveWorkspace(state, store.workspace);
    const chunks = [];
    for await (const chunk of readJourneys(events, state, workspace.id)) chunks.push(chunk);
    return { batches: chunks, lookbackDays: workspace.lookbackDays };
  });
  const paths = new Set(batches.flatMap((batch) => pathKeysOf(batch))).size;
  return attributeBatches(batches, paths, {
    ...config,
    lookbackDays: config.lookbackDays ?? lookbackDays,
  });
}

function pathKeysOf(batch: JourneyBatch): string[] {
  return Array.from({ length: batch.journeyCount }, (_, j) =>
    batch.touchChannel.subarray(batch.touchOffsets[j], batch.touchOffsets[j + 1]).join('>'),
  );
}

function attributeBatches(
  batches: readonly JourneyBatch[],
  paths: number,
  config: AttributeConfig,
): AttributionReport {
  const trimmed = batches.map((batch) =>
    applyLookback(batch, { days: config.lookbackDays, steps: config.lookbackSteps }),
  );
  const options = {
    halfLifeDays: config.halfLifeDays,
    positionFirst: config.positionFirst,
    positionLast: config.positionLast,
    customWeights: config.customWeights,
    markovOrder: config.markovOrder,
    useNulls: config.useNulls,
  };
  const traits = trimmed.map(traitsOf);
  const names =
    config.models ??
    defaultModels(
      {
        hasTimes: traits.some((t) => t.hasTimes),
        hasMilestones: traits.some((t) => t.hasMilestones),
      },
      options,
    );
  const models = names.map((name) => createModel(name, options));
  const chunks = trimmed.flatMap((batch) => [...chunkBatch(batch, chunkJourneys)]);
  return attributeJourneys(chunks, models, paths);
}
