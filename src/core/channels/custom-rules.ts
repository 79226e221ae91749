/**
 * A workspace's own channel rules, tried in order before the default ones: the first rule whose
 * conditions all hold names the channel, which may be any name (a workspace may invent channels).
 *
 * Conditions test the session's fields as given — trimmed and lowercased, before any default
 * logic (a rule on `source` sees the UTM source, not a source derived from the referrer) — plus
 * `referrerHost` and `landingHost` (normalized hosts, international names in ASCII, '' when
 * absent) and `clickId` (holds when any click id present satisfies the test, e.g. `clickId equals
 * gclid`). Comparisons ignore case; `regex` searches the value (anchor it with ^ and $ for a whole
 * match).
 */
import { ClosedloopError } from '../errors.js';
import { toAsciiHost } from './hosts.js';

export const ruleFields = [
  'source',
  'medium',
  'campaign',
  'referrer',
  'referrerHost',
  'landingUrl',
  'landingHost',
  'clickId',
] as const;
export type RuleField = (typeof ruleFields)[number];

export const ruleOps = ['equals', 'contains', 'regex'] as const;
export type RuleOp = (typeof ruleOps)[number];

export interface ChannelCondition {
  readonly field: RuleField;
  readonly op: RuleOp;
  readonly value: string;
}

export interface ChannelRule {
  readonly channel: string;
  readonly when: readonly ChannelCondition[];
}

/** The values custom rules test, each trimmed and lowercased ('' when absent). */
export interface RuleSubject {
  readonly source: string;
  readonly medium: string;
  readonly campaign: string;
  readonly referrer: string;
  readonly referrerHost: string;
  readonly landingUrl: string;
  readonly landingHost: string;
  /** Names of the click ids present. */
  readonly clickId: readonly string[];
}

export interface CompiledRules {
  readonly count: number;
  /** The channel of the first rule that holds, or undefined. */
  readonly match: (subject: RuleSubject) => string | undefined;
  /** Some rule reads a whole URL (`referrer`, `landingUrl`): such rules cannot share a cache. */
  readonly readsWholeUrls: boolean;
  /** Some rule reads `landingHost`, which the classifier otherwise reads only with a referrer. */
  readonly readsLandingHost: boolean;
}

const invalid = (where: string, problem: string) =>
  new ClosedloopError('CL_ERR_CHANNEL_RULE', `${where}: ${problem}`);

const quoted = (value: unknown) => JSON.stringify(value) ?? String(value);

/**
 * Checks rules read from JSON (or given by a caller) and returns them trimmed; throws
 * CL_ERR_CHANNEL_RULE naming the rule, condition and field at fault (`rules[2].when[0].op: ...`).
 */
export function parseChannelRules(value: unknown): ChannelRule[] {
  if (!Array.isArray(value)) {
    throw invalid('rules', `expected an array of rules, got ${describe(value)}`);
  }
  return value.map((rule, i) => parseRule(rule, `rules[${i}]`));
}

function parseRule(rule: unknown, where: string): ChannelRule {
  if (!isPlainObject(rule)) {
    throw invalid(where, `expected {"channel": ..., "when": [...]}, got ${describe(rule)}`);
  }
  rejectUnknownKeys(rule, ['channel', 'when'], where);
  const channel = rule.channel;
  if (typeof channel !== 'string' || channel.trim() === '') {
    throw invalid(`${where}.channel`, `expected a channel name, got ${describe(channel)}`);
  }
  const when = rule.when;
  if (!Array.isArray(when) || when.length === 0) {
    throw invalid(
      `${where}.when`,
      `expected a non-empty array of conditions, got ${describe(when)}`,
    );
  }
  return {
    channel: channel.trim(),
    when: when.map((condition, j) => parseCondition(condition, `${where}.when[${j}]`)),
  };
}

function parseCondition(condition: unknown, where: string): ChannelCondition {
  if (!isPlainObject(condition)) {
    throw invalid(
      where,
      `expected {"field": ..., "op": ..., "value": ...}, got ${describe(condition)}`,
    );
  }
  rejectUnknownKeys(condition, ['field', 'op', 'value'], where);
  const { field, op, value } = condition;
  if (typeof field !== 'string' || !(ruleFields as readonly string[]).includes(field)) {
    throw invalid(
      `${where}.field`,
      `unknown field ${quoted(field)}; expected one of ${ruleFields.join(', ')}`,
    );
  }
  if (typeof op !== 'string' || !(ruleOps as readonly string[]).includes(op)) {
    throw invalid(`${where}.op`, `unknown op ${quoted(op)}; expected one of ${ruleOps.join(', ')}`);
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(`${where}.value`, `expected a non-empty string, got ${describe(value)}`);
  }
  if (op === 'regex') compileRegex(value, `${where}.value`);
  return { field: field as RuleField, op: op as RuleOp, value: value.trim() };
}

function compileRegex(pattern: string, where: string): RegExp {
  try {
    return new RegExp(pattern, 'i');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalid(where, `invalid regex ${quoted(pattern)} (${reason})`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rejectUnknownKeys(object: Record<string, unknown>, known: string[], where: string): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      throw invalid(`${where}.${key}`, `unknown key; expected ${known.join(', ')}`);
    }
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${quoted(value)}`;
}

type Test = (value: string) => boolean;

/** Validates (as `parseChannelRules`) and compiles rules into one matching function. */
export function compileChannelRules(rules: readonly ChannelRule[]): CompiledRules {
  const checked = parseChannelRules(rules);
  const compiled = checked.map((rule) => ({
    channel: rule.channel,
    tests: rule.when.map((condition) => ({
      field: condition.field,
      test: compileTest(condition),
    })),
  }));
  const fields = new Set(checked.flatMap((rule) => rule.when.map((c) => c.field)));
  return {
    count: compiled.length,
    readsWholeUrls: fields.has('referrer') || fields.has('landingUrl'),
    readsLandingHost: fields.has('landingHost'),
    match(subject) {
      for (const rule of compiled) {
        if (rule.tests.every(({ field, test }) => holds(subject, field, test))) return rule.channel;
      }
      return undefined;
    },
  };
}

function compileTest(condition: ChannelCondition): Test {
  const value = comparedValue(condition);
  switch (condition.op) {
    case 'equals':
      return (text) => text === value;
    case 'contains':
      return (text) => text.includes(value);
    case 'regex': {
      const pattern = compileRegex(condition.value, condition.field);
      return (text) => pattern.test(text);
    }
  }
}

/**
 * The rule's value lowercased; on a host field, in ASCII as the hosts are (`bücher.de` →
 * `xn--bcher-kva.de`), so a rule matches a site whichever form it was written in. Text that is no
 * host name is kept as written. A regex is not converted: it sees the ASCII host.
 */
function comparedValue(condition: ChannelCondition): string {
  const value = condition.value.toLowerCase();
  if (condition.field !== 'referrerHost' && condition.field !== 'landingHost') return value;
  return toAsciiHost(value) || value;
}

function holds(subject: RuleSubject, field: RuleField, test: Test): boolean {
  if (field === 'clickId') return subject.clickId.some(test);
  return test(subject[field]);
}
