import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseStoreConfig, type RawStoreOptions } from '../../config.js';
import { ClosedloopError } from '../../core/errors.js';
import { counted } from '../../core/funnel/notes.js';
import { wholeNumber } from '../../core/whole-number.js';
import { parsePipedriveStages } from '../../crm/webhooks/pipedrive-names.js';
import type { CrmNames, WorkspaceSettings } from '../../store/ports.js';
import {
  maxLookbackDays,
  maxSessionTimeoutMinutes,
} from '../../store/sqlite/workspace-settings.js';
import { namedByFlag } from '../exit.js';
import { resolveWorkspace, withStore } from '../store-access.js';

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
        return state
          .createWorkspace(name, { timeZone: options.timeZone, currency: options.currency })
          .catch((error: unknown) => {
            throw namedByFlag(error, { ...settingFlags, name: '--name' });
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
      // Write keys are public (they go into the page's snippet), and collecting into a workspace
      // made for the user, the default one, needs its key. Secret keys are hashes, never listed.
      const all = await withStore(config, async ({ state }) =>
        Promise.all(
          (await state.listWorkspaces()).map(async (w) => ({
            ...w,
            writeKey: await state.writeKeyOf(w.id),
          })),
        ),
      );
      process.stdout.write(
        options.json === true
          ? `${JSON.stringify(all)}\n`
          : `${all.map((w) => `${w.id}  ${w.name}  ${w.timeZone}  ${w.currency}  ${w.writeKey}`).join('\n')}\n`,
      );
    });
  workspace
    .command('settings')
    .description("show a workspace's settings, or change those given")
    .option('--time-zone <zone>', 'IANA time zone periods are bucketed in')
    .option('--currency <code>', 'ISO 4217 currency of money totals')
    .option('--session-timeout <minutes>', 'idle minutes after which a visit is a new session')
    .option('--lookback-days <days>', 'how far back touches count toward a conversion')
    .option('--db <path>', 'SQLite file (default ./data/closedloop.db)')
    .option('--workspace <id|name>', 'workspace (default: the only one)')
    .option('--json', 'print one JSON document')
    .action(async (options: RawSettingsOptions) => {
      const config = parseStoreConfig(options, process.env);
      const changes = parseSettingsChanges(options);
      const updated = await withStore(config, async ({ state }) => {
        const target = await resolveWorkspace(state, config.workspace);
        if (Object.keys(changes).length === 0) return target;
        return state.updateWorkspaceSettings(target.id, changes).catch((error: unknown) => {
          throw namedByFlag(error, settingFlags);
        });
      });
      process.stdout.write(
        options.json === true
          ? `${JSON.stringify(updated)}\n`
          : `${updated.name} (${updated.id}): ${updated.timeZone}, ${updated.currency}, sessions end after ${updated.sessionTimeoutMinutes} idle minutes, lookback ${updated.lookbackDays} days\n`,
      );
    });
  workspace
    .command('key')
    .description('issue a new secret key for the reports and deals API (shown this once)')
    .option('--db <path>', 'SQLite file (default ./data/closedloop.db)')
    .option('--workspace <id|name>', 'workspace (default: the only one)')
    .option('--json', 'print one JSON document')
    .action(async (options: RawStoreOptions & { json?: boolean }) => {
      const config = parseStoreConfig(options, process.env);
      const { target, secretKey } = await withStore(config, async ({ state }) => {
        const target = await resolveWorkspace(state, config.workspace);
        return { target, secretKey: await state.issueSecretKey(target.id) };
      });
      process.stdout.write(
        options.json === true
          ? `${JSON.stringify({ id: target.id, secretKey })}\n`
          : `secret key for "${target.name}": ${secretKey}  (shown this once; store it now)\n`,
      );
    });
  workspace
    .command('integration')
    .description(
      "set the secret a CRM signs or authenticates its webhooks with, and Pipedrive's stage names",
    )
    .argument(
      '<provider>',
      'hubspot (app client secret) or pipedrive (webhook basic-auth password)',
    )
    .option('--secret <secret>', 'the shared secret')
    .option(
      '--stages <file.json>',
      "pipedrive: the JSON of its API's stage list (GET /v1/stages), to name webhooks' stages and pipelines",
    )
    .option('--db <path>', 'SQLite file (default ./data/closedloop.db)')
    .option('--workspace <id|name>', 'workspace (default: the only one)')
    .option('--json', 'print one JSON document')
    .action(async (provider: string, options: RawIntegrationOptions) => {
      if (provider !== 'hubspot' && provider !== 'pipedrive') {
        throw new ClosedloopError(
          'CL_ERR_USAGE',
          `provider: expected hubspot or pipedrive, got "${provider}"`,
        );
      }
      if (options.secret === undefined && options.stages === undefined) {
        throw new ClosedloopError('CL_ERR_USAGE', '--secret: required (or --stages for pipedrive)');
      }
      if (options.stages !== undefined && provider !== 'pipedrive') {
        throw new ClosedloopError('CL_ERR_USAGE', '--stages: only pipedrive names stages by id');
      }
      // Read and checked before the store opens: a bad file changes nothing.
      const names = options.stages === undefined ? undefined : readStageNames(options.stages);
      const config = parseStoreConfig(options, process.env);
      const target = await withStore(config, async ({ state }) => {
        const target = await resolveWorkspace(state, config.workspace);
        if (options.secret !== undefined) {
          await state.setIntegrationSecret(target.id, provider, options.secret);
        }
        if (names !== undefined) await state.setIntegrationNames(target.id, provider, names);
        return target;
      });
      const webhookPath = `/webhooks/${provider}/${target.id}`;
      if (options.json === true) {
        const named =
          names === undefined
            ? {}
            : {
                stages: Object.keys(names.stages).length,
                pipelines: Object.keys(names.pipelines).length,
              };
        process.stdout.write(
          `${JSON.stringify({ provider, workspace: target.name, webhookPath, ...named })}\n`,
        );
        return;
      }
      const lines = [`${provider} webhooks for "${target.name}": POST <server>${webhookPath}`];
      if (names !== undefined) {
        lines.push(
          `  names for ${counted(Object.keys(names.stages).length, 'stage')} and ${counted(Object.keys(names.pipelines).length, 'pipeline')}`,
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

interface RawIntegrationOptions extends RawStoreOptions {
  secret?: string;
  stages?: string;
  json?: boolean;
}

function readStageNames(path: string): CrmNames {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ClosedloopError(
      'CL_ERR_USAGE',
      `--stages: ${path}: expected the JSON of Pipedrive's stage list (${(error as Error).message})`,
    );
  }
  try {
    return parsePipedriveStages(json);
  } catch (error) {
    throw new ClosedloopError('CL_ERR_USAGE', `--stages: ${path}: ${(error as Error).message}`);
  }
}

interface RawSettingsOptions extends RawStoreOptions {
  timeZone?: string;
  currency?: string;
  sessionTimeout?: string;
  lookbackDays?: string;
  json?: boolean;
}

function parseSettingsChanges(options: RawSettingsOptions): Partial<WorkspaceSettings> {
  const whole = (flag: string, text: string | undefined, max: number) =>
    text === undefined ? undefined : wholeNumber(flag, text, 1, max);
  const changes: { -readonly [K in keyof WorkspaceSettings]?: WorkspaceSettings[K] } = {};
  if (options.timeZone !== undefined) changes.timeZone = options.timeZone;
  if (options.currency !== undefined) changes.currency = options.currency;
  const timeout = whole('--session-timeout', options.sessionTimeout, maxSessionTimeoutMinutes);
  if (timeout !== undefined) changes.sessionTimeoutMinutes = timeout;
  const lookback = whole('--lookback-days', options.lookbackDays, maxLookbackDays);
  if (lookback !== undefined) changes.lookbackDays = lookback;
  return changes;
}

/** The flags of the settings, by the store's names for them. */
const settingFlags = {
  timeZone: '--time-zone',
  currency: '--currency',
  sessionTimeoutMinutes: '--session-timeout',
  lookbackDays: '--lookback-days',
};
