import type { Command } from 'commander';
import { parseStoreConfig, type RawStoreOptions } from '../../config.js';
import { ClosedloopError } from '../../core/errors.js';
import { withStore } from '../store-access.js';

interface RawCreateOptions extends RawStoreOptions {
  name?: string;
  timeZone?: string;
  currency?: string;
  json?: boolean;
}

export function registerWorkspace(program: Command): void {
  const workspace = program
    .command('workspace')
    .description('create and list workspaces (tenants)');
  workspace
    .command('create')
    .description('create a workspace and print its keys (the secret key is shown this once)')
    .requiredOption('--name <name>', 'a unique name')
    .option('--time-zone <zone>', 'IANA time zone periods are bucketed in', 'UTC')
    .option('--currency <code>', 'ISO 4217 currency of money totals', 'USD')
    .option('--db <path>', 'SQLite file (default ./data/closedloop.db)')
    .option('--json', 'print one JSON document')
    .action(async (options: RawCreateOptions) => {
      const name = options.name?.trim() ?? '';
      if (name === '')
        throw new ClosedloopError(
          'CL_ERR_USAGE',
          '--name: expected a workspace name, got an empty one',
        );
      const config = parseStoreConfig(options, process.env);
      const created = await withStore(config, async ({ state }) => {
        if ((await state.findWorkspace(name)) !== undefined) {
          throw new ClosedloopError(
            'CL_ERR_CONFIG',
            `--name: a workspace named "${name}" exists already`,
          );
        }
        return state.createWorkspace(name, {
          timeZone: options.timeZone,
          currency: options.currency,
        });
      });
      const result = {
        id: created.workspace.id,
        writeKey: created.writeKey,
        secretKey: created.secretKey,
      };
      process.stdout.write(
        options.json === true
          ? `${JSON.stringify(result)}\n`
          : `Workspace "${name}" (${result.id})\n  write key:  ${result.writeKey}\n  secret key: ${result.secretKey}  (shown this once; store it now)\n`,
      );
    });
  workspace
    .command('list')
    .description('list the workspaces')
    .option('--db <path>', 'SQLite file (default ./data/closedloop.db)')
    .option('--json', 'print one JSON document')
    .action(async (options: RawStoreOptions & { json?: boolean }) => {
      const config = parseStoreConfig(options, process.env);
      const all = await withStore(config, ({ state }) => state.listWorkspaces());
      process.stdout.write(
        options.json === true
          ? `${JSON.stringify(all)}\n`
          : `${all.map((w) => `${w.id}  ${w.name}  ${w.timeZone}  ${w.currency}`).join('\n')}\n`,
      );
    });
}
