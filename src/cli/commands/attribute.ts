import type { Command } from 'commander';
import {
  type AttributeConfig,
  parseAttributeConfig,
  type RawAttributeOptions,
} from '../../config.js';
import { applyLookback } from '../../core/attribution/lookback.js';
import { createModel, defaultModels, traitsOf } from '../../core/attribution/registry.js';
import { type AttributionReport, attributeJourneys } from '../../core/attribution/report.js';
import { chunkBatch } from '../../core/journey-batch.js';
import { readPathsFile } from '../input/read-paths.js';
import { readTouchpointsFile } from '../input/read-touchpoints.js';
import { formatAttributionTables } from '../output/attribution-table.js';

const chunkJourneys = 65_536;

export function registerAttribute(program: Command): void {
  program
    .command('attribute')
    .description('credit conversions and value to channels under several attribution models')
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
    .action((options: RawAttributeOptions) => {
      const config = parseAttributeConfig(options);
      const report = runAttribute(config);
      process.stdout.write(
        config.json ? `${JSON.stringify(report)}\n` : formatAttributionTables(report),
      );
    });
}

export function runAttribute(config: AttributeConfig): AttributionReport {
  const input =
    config.input.kind === 'paths'
      ? readPathsFile(config.input.file, config.separator)
      : readTouchpointsFile(config.input.file, config.columnMap);
  const batch = applyLookback(input.batch, {
    days: config.lookbackDays,
    steps: config.lookbackSteps,
  });
  const options = {
    halfLifeDays: config.halfLifeDays,
    positionFirst: config.positionFirst,
    positionLast: config.positionLast,
    customWeights: config.customWeights,
    markovOrder: config.markovOrder,
    useNulls: config.useNulls,
  };
  const names = config.models ?? defaultModels(traitsOf(batch), options);
  const models = names.map((name) => createModel(name, options));
  return attributeJourneys(chunkBatch(batch, chunkJourneys), models, input.paths);
}
