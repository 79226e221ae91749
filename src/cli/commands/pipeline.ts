import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseStoreConfig, type RawStoreOptions } from '../../config.js';
import type { Pipeline } from '../../core/deals.js';
import { ClosedloopError } from '../../core/errors.js';
import { checkedPipeline } from '../../crm/pipeline-config.js';
import { resolveWorkspace, withStore } from '../store-access.js';

type RawOptions = RawStoreOptions & { json?: boolean };

export function registerPipeline(program: Command): void {
  const pipeline = program
    .command('pipeline')
    .description("show or edit a workspace's pipelines (ordered stages, phases, probabilities)");
  pipeline
    .command('list')
    .description('print every pipeline with its stages')
    .option('--db <path>', 'SQLite file (default ./data/closedloop.db)')
    .option('--workspace <id|name>', 'workspace (default: the only one)')
    .option('--json', 'print one JSON document')
    .action(async (options: RawOptions) => {
      const config = parseStoreConfig(options, process.env);
      const pipelines = await withStore(config, async ({ state }) =>
        state.pipelines((await resolveWorkspace(state, config.workspace)).id),
      );
      process.stdout.write(
        options.json === true
          ? `${JSON.stringify(pipelines)}\n`
          : pipelines.length === 0
            ? 'no pipelines yet: the first `closedloop import deals` infers them, or `closedloop pipeline set FILE` sets one\n'
            : pipelines.map(describe).join(''),
      );
    });
  pipeline
    .command('set')
    .description('create or replace a pipeline from a JSON file ({"name", "stages": [...]})')
    .argument('<file>', 'pipeline JSON, as `pipeline list --json` prints one')
    .option('--db <path>', 'SQLite file (default ./data/closedloop.db)')
    .option('--workspace <id|name>', 'workspace (default: the only one)')
    .option('--json', 'print one JSON document')
    .action(async (file: string, options: RawOptions) => {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new ClosedloopError('CL_ERR_FILE_NOT_FOUND', `${file}: no such file`);
        }
        throw new ClosedloopError(
          'CL_ERR_USAGE',
          `${file}: expected a pipeline JSON file (${(error as Error).message})`,
        );
      }
      const checked = checkedPipeline(raw);
      const config = parseStoreConfig(options, process.env);
      await withStore(config, async ({ state }) =>
        state.savePipeline((await resolveWorkspace(state, config.workspace)).id, checked),
      );
      process.stdout.write(
        options.json === true ? `${JSON.stringify(checked)}\n` : describe(checked),
      );
    });
}

function describe(pipeline: Pipeline): string {
  const stages = pipeline.stages.map(
    (stage) =>
      `  ${stage.name}  ${stage.outcome ?? stage.phase}  ${Math.round(stage.probability * 100)}%`,
  );
  return `${pipeline.name}\n${stages.join('\n')}\n`;
}
