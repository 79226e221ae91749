/**
 * The one place that reads flags and the environment: each command's raw options are parsed,
 * validated and frozen here, and the rest of the program receives plain, checked values.
 */

import { isIP } from 'node:net';
import { type TouchpointColumn, touchpointColumns } from './cli/input/read-touchpoints.js';
import { type ModelName, parseModelNames } from './core/attribution/registry.js';
import type { AnchorWeights } from './core/attribution/rule-based.js';
import { type DealMilestone, parseDealMilestone } from './core/deal-milestones.js';
import { ClosedloopError } from './core/errors.js';

export interface AttributeConfig {
  readonly input:
    | { readonly kind: 'paths' | 'touchpoints'; readonly file: string }
    | {
        readonly kind: 'store';
        readonly store: StoreConfig;
        /** Undefined: people's journeys up to their lead; else one journey per deal. */
        readonly milestone: DealMilestone | undefined;
        readonly accountMode: boolean;
      };
  /** Undefined: every model the input can feed. */
  readonly models: readonly ModelName[] | undefined;
  readonly json: boolean;
  readonly separator: string;
  readonly columnMap: Readonly<Partial<Record<TouchpointColumn, string>>>;
  readonly lookbackDays: number | undefined;
  readonly lookbackSteps: number | undefined;
  readonly markovOrder: number;
  readonly useNulls: boolean;
  readonly halfLifeDays: number;
  readonly positionFirst: number;
  readonly positionLast: number;
  readonly customWeights: AnchorWeights | undefined;
}

/** Options as commander hands them over: strings, booleans, or absent. */
export interface RawAttributeOptions {
  paths?: string;
  touchpoints?: string;
  db?: string;
  workspace?: string;
  models?: string;
  json?: boolean;
  sep?: string;
  map?: string;
  lookbackDays?: string;
  lookbackSteps?: string;
  order?: string;
  nulls?: boolean;
  halfLife?: string;
  positionWeights?: string;
  weights?: string;
  milestone?: string;
  account?: boolean;
}

const usage = (message: string) => new ClosedloopError('CL_ERR_USAGE', message);

function parseMilestone(text: string): DealMilestone {
  const milestone = parseDealMilestone(text.trim());
  if (milestone === undefined || (milestone.kind === 'stage' && milestone.stage === '')) {
    throw usage(`--milestone: expected lead, deal, won or stage:NAME, got "${text}"`);
  }
  return milestone;
}

export function parseAttributeConfig(
  raw: RawAttributeOptions,
  env: NodeJS.ProcessEnv = {},
): AttributeConfig {
  if (raw.paths !== undefined && raw.touchpoints !== undefined) {
    throw usage('attribute: give one of --paths FILE or --touchpoints FILE, not both');
  }
  const fromFile = raw.paths !== undefined || raw.touchpoints !== undefined;
  if (fromFile && (raw.db !== undefined || raw.workspace !== undefined)) {
    throw usage(
      'attribute: --db and --workspace read stored journeys; leave them out with --paths or --touchpoints',
    );
  }
  const input =
    raw.paths !== undefined
      ? { kind: 'paths' as const, file: raw.paths }
      : raw.touchpoints !== undefined
        ? { kind: 'touchpoints' as const, file: raw.touchpoints }
        : {
            kind: 'store' as const,
            store: parseStoreConfig(raw, env),
            milestone: raw.milestone === undefined ? undefined : parseMilestone(raw.milestone),
            accountMode: raw.account === true,
          };
  if (input.kind !== 'store' && (raw.milestone !== undefined || raw.account === true)) {
    throw usage('--milestone and --account attribute stored deals; leave them out with a file');
  }
  if (input.kind === 'store' && raw.account === true && input.milestone === undefined) {
    throw usage("--account: counts everyone at a deal's account; it needs --milestone");
  }
  if (raw.map !== undefined && input.kind !== 'touchpoints') {
    throw usage('--map: renames touchpoint columns; it needs --touchpoints');
  }
  const position =
    raw.positionWeights === undefined
      ? {}
      : parseWeights('--position-weights', raw.positionWeights, ['first', 'last']);
  const separator = raw.sep ?? '>';
  if (separator.trim() === '')
    throw usage('--sep: expected a path separator such as ">", got an empty one');
  return Object.freeze({
    input: Object.freeze(input),
    models: raw.models === undefined ? undefined : Object.freeze(parseModelNames(raw.models)),
    json: raw.json === true,
    separator: separator.trim(),
    columnMap: Object.freeze(parseColumnMap(raw.map)),
    lookbackDays: optionalNumber('--lookback-days', raw.lookbackDays, { positive: true }),
    lookbackSteps: optionalNumber('--lookback-steps', raw.lookbackSteps, {
      positive: true,
      integer: true,
    }),
    markovOrder: optionalNumber('--order', raw.order, { integer: true, min: 1, max: 4 }) ?? 1,
    useNulls: raw.nulls !== false,
    halfLifeDays: optionalNumber('--half-life', raw.halfLife, { positive: true }) ?? 7,
    positionFirst: position.first ?? 0.4,
    positionLast: position.last ?? 0.4,
    customWeights:
      raw.weights === undefined
        ? undefined
        : Object.freeze(
            parseWeights('--weights', raw.weights, [
              'first',
              'last',
              'lead',
              'deal',
              'won',
              'middle',
            ]),
          ),
  });
}

interface NumberRule {
  positive?: boolean;
  integer?: boolean;
  min?: number;
  max?: number;
}

function optionalNumber(
  flag: string,
  text: string | undefined,
  rule: NumberRule,
): number | undefined {
  if (text === undefined) return undefined;
  // Decimal notation only: Number() would also read 0x10, 1e3 and 0b11 as numbers.
  const written = rule.integer ? /^\s*[+-]?\d+\s*$/ : /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/;
  const value = written.test(text) ? Number(text) : Number.NaN;
  const ok =
    Number.isFinite(value) &&
    (!rule.positive || value > 0) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.max === undefined || value <= rule.max);
  if (!ok) {
    const parts = [
      rule.integer ? 'a whole number' : 'a number',
      rule.positive ? '> 0' : '',
      rule.min !== undefined && rule.max !== undefined ? `from ${rule.min} to ${rule.max}` : '',
    ].filter((part) => part !== '');
    throw usage(`${flag}: expected ${parts.join(' ')}, got "${text}"`);
  }
  return value;
}

/** `first=0.4,last=0.4` → {first: 0.4, last: 0.4}, names checked against `allowed`. */
function parseWeights<Name extends string>(
  flag: string,
  text: string,
  allowed: readonly Name[],
): Partial<Record<Name, number>> {
  const weights: Partial<Record<Name, number>> = {};
  for (const part of text.split(',')) {
    const [name, value, extra] = part.split('=').map((piece) => piece.trim());
    if (
      name === undefined ||
      value === undefined ||
      extra !== undefined ||
      !allowed.includes(name as Name)
    ) {
      throw usage(
        `${flag}: expected name=weight pairs with names ${allowed.join(', ')}, got "${part}"`,
      );
    }
    // Decimal notation only, as every numeric flag: Number() would read 0x1 and 1e1 too.
    const weight = /^(\d+(\.\d*)?|\.\d+)$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isFinite(weight)) {
      throw usage(`${flag}: weight of ${name} must be a number ≥ 0, got "${value}"`);
    }
    weights[name as Name] = weight;
  }
  return weights;
}

function parseColumnMap(text: string | undefined): Partial<Record<TouchpointColumn, string>> {
  if (text === undefined) return {};
  const known: readonly string[] = [...touchpointColumns.required, ...touchpointColumns.optional];
  const map: Partial<Record<TouchpointColumn, string>> = {};
  for (const part of text.split(',')) {
    const [column, header, extra] = part.split('=').map((piece) => piece.trim());
    if (column === undefined || header === undefined || header === '' || extra !== undefined) {
      throw usage(`--map: expected column=header pairs such as journey_id=cookie, got "${part}"`);
    }
    if (!known.includes(column)) {
      throw usage(`--map: unknown column "${column}"; expected one of ${known.join(', ')}`);
    }
    map[column as TouchpointColumn] = header;
  }
  return map;
}

export interface DemoConfig {
  readonly seed: number;
  readonly months: number;
  readonly visitors: number;
  readonly json: boolean;
}

export interface RawDemoOptions {
  seed?: string;
  months?: string;
  visitors?: string;
  json?: boolean;
}

export function parseDemoConfig(raw: RawDemoOptions): DemoConfig {
  return Object.freeze({
    seed: optionalNumber('--seed', raw.seed, { integer: true, min: 0, max: 2 ** 32 - 1 }) ?? 1,
    months: optionalNumber('--months', raw.months, { integer: true, min: 1, max: 60 }) ?? 12,
    visitors:
      optionalNumber('--visitors', raw.visitors, { integer: true, min: 1, max: 2_000_000 }) ??
      20_000,
    json: raw.json === true,
  });
}

/** Where the data lives and which workspace a command works on. */
export interface StoreConfig {
  readonly dbPath: string;
  /** Id or name; undefined: the only workspace. */
  readonly workspace: string | undefined;
}

export interface RawStoreOptions {
  db?: string;
  workspace?: string;
}

export const defaultDbPath = './data/closedloop.db';

export function parseStoreConfig(raw: RawStoreOptions, env: NodeJS.ProcessEnv): StoreConfig {
  const config = storeConfigOf(raw, env);
  // SQLite's private in-memory store would take what the command writes (a workspace's keys,
  // imported deals) with it as it ends, and a report would read an empty store.
  if (config.dbPath === ':memory:') {
    const source = raw.db === undefined ? 'CLOSEDLOOP_DB' : '--db';
    throw usage(`${source}: expected a file path; ":memory:" keeps nothing after the command ends`);
  }
  return config;
}

/** The store flags as given, `:memory:` included: `serve` keeps such a store while it runs. */
function storeConfigOf(raw: RawStoreOptions, env: NodeJS.ProcessEnv): StoreConfig {
  const dbPath = raw.db ?? env.CLOSEDLOOP_DB ?? defaultDbPath;
  if (dbPath.trim() === '') throw usage('--db: expected a file path, got an empty one');
  const workspace = raw.workspace?.trim();
  if (workspace === '') throw usage('--workspace: expected an id or a name, got an empty one');
  return Object.freeze({ dbPath, workspace });
}

export interface ServeConfig extends StoreConfig {
  readonly port: number;
  readonly host: string;
  /** Largest request body, bytes. */
  readonly bodyLimit: number;
  /** Most bytes of batches waiting to be stored before more are turned away (503). */
  readonly batchQueueLimit: number;
  /** Longest a report (funnel, forecast, backtest) may compute, in milliseconds. */
  readonly reportTimeLimitMs: number;
  /** Fill a demo workspace through the collector unless it holds deals (an unfinished fill). */
  readonly demo: boolean;
  readonly log: boolean;
  /**
   * The proxies whose `X-Forwarded-For` names the client, by address or CIDR range. None by
   * default: a client could write any address there.
   */
  readonly trustProxy: TrustedProxies | undefined;
}

export type TrustedProxies = readonly string[];

export interface RawServeOptions extends RawStoreOptions {
  port?: string;
  host?: string;
  bodyLimit?: string;
  batchQueueLimit?: string;
  reportTimeLimit?: string;
  demo?: boolean;
  log?: boolean;
  trustProxy?: string;
}

/** About a second of batches at the collector's pace, and some hundreds of MB once parsed. */
export const defaultBatchQueueLimit = 32 * 1024 * 1024;

/** Minutes for the largest backtests; a report that needs more is a request to narrow. */
export const defaultReportTimeLimitSeconds = 120;

export function parseServeConfig(raw: RawServeOptions, env: NodeJS.ProcessEnv): ServeConfig {
  const port =
    optionalNumber(raw.port === undefined ? 'PORT' : '--port', raw.port ?? env.PORT, {
      integer: true,
      min: 0,
      max: 65_535,
    }) ?? 3000;
  return Object.freeze({
    // serve.ts runs on `:memory:` as a throwaway server, without its file-only threads.
    ...storeConfigOf(raw, env),
    port,
    host: raw.host ?? env.HOST ?? '0.0.0.0',
    bodyLimit:
      optionalNumber('--body-limit', raw.bodyLimit, {
        integer: true,
        min: 1_024,
        max: 100 * 1024 * 1024,
      }) ?? 500 * 1024,
    batchQueueLimit:
      optionalNumber('--batch-queue-limit', raw.batchQueueLimit, {
        integer: true,
        min: 1_024,
        max: 16 * 1024 ** 3,
      }) ?? defaultBatchQueueLimit,
    reportTimeLimitMs:
      (optionalNumber('--report-time-limit', raw.reportTimeLimit, {
        integer: true,
        min: 1,
        max: 86_400,
      }) ?? defaultReportTimeLimitSeconds) * 1000,
    demo: raw.demo === true,
    log: raw.log === true,
    trustProxy: raw.trustProxy === undefined ? undefined : parseTrustedProxies(raw.trustProxy),
  });
}

/** Proxies' addresses and CIDR ranges, or proxy-addr's names for the private ranges. */
const proxyRangeNames = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** `10.0.0.0/8,192.0.2.7` or `loopback`: the proxies whose X-Forwarded-For is believed. */
function parseTrustedProxies(text: string): TrustedProxies {
  const entries = text.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (proxyRangeNames.has(entry)) continue;
    const [address = '', bits, ...rest] = entry.split('/');
    const version = isIP(address);
    const maxBits = version === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (version === 0 || !bitsOk || rest.length > 0) {
      throw usage(
        `--trust-proxy: expected addresses or CIDR ranges separated by commas (or loopback, linklocal, uniquelocal), got "${entry}"`,
      );
    }
  }
  return entries;
}
