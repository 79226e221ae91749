import { createHash } from 'node:crypto';
import { isbot } from 'isbot';
import { looksLikeEmail, normaliseEmail } from '../core/emails.js';
import { e164 } from '../core/phones.js';
import { truncateIp } from './privacy.js';
import type { EventKind, ValidEvent } from './validate.js';
import { parseTime } from './validate.js';

export const clickIdParams = [
  'gclid',
  'gbraid',
  'wbraid',
  'fbclid',
  'msclkid',
  'li_fat_id',
  'ttclid',
] as const;

export interface CampaignFields {
  readonly source: string | null;
  readonly medium: string | null;
  readonly campaign: string | null;
  readonly term: string | null;
  readonly content: string | null;
}

/** An event as the rest of ingest reads it: times corrected, IP truncated, page fields parsed. */
export interface NormalizedEvent extends CampaignFields {
  readonly messageId: string;
  /**
   * For an event sent with neither message id nor time: the id the same content had if it
   * arrived in the previous ten minutes, of which this one is then a retry.
   */
  readonly earlierWindowId?: string;
  readonly kind: EventKind;
  readonly anonymousId: string | null;
  readonly userId: string | null;
  readonly previousId: string | null;
  readonly event: string | null;
  readonly timestamp: number;
  readonly receivedAt: number;
  readonly bot: boolean;
  readonly url: string | null;
  readonly referrer: string | null;
  readonly clickIds: Readonly<Record<string, string>>;
  /** Normalised email given by the event, if any (identify traits, form submits). */
  readonly email: string | null;
  /** A phone number the event gives (the same places), in E.164, if it is written with `+`. */
  readonly phone: string | null;
  /**
   * The event's properties and context (IP already truncated) as JSON, as they are stored: text
   * crosses between threads for the cost of a copy, and nothing reads them before the store.
   */
  readonly propertiesJson: string;
  readonly contextJson: string;
}

export interface Arrival {
  /** When the server received the request. */
  readonly receivedAt: number;
  /** The batch's own sentAt, when the event has none. */
  readonly sentAt?: string | number;
  /** The HTTP client's address: used when the event carries no context.ip (browsers). */
  readonly requestIp?: string;
  /** The HTTP User-Agent: only for the tracker, whose requests come from the browser itself. */
  readonly requestUserAgent?: string;
}

/** Track events that are conversions when they name no other type. */
export const conversionEvents = new Set([
  'form_submit',
  'form submitted',
  'signed up',
  'demo requested',
]);

export function normalizeEvent(event: ValidEvent, arrival: Arrival): NormalizedEvent {
  const given = event.context ?? {};
  const ip = truncateIp(given.ip ?? arrival.requestIp);
  // The raw address is replaced, or left undefined, which JSON leaves out. Not `delete`: that
  // turns the object into a dictionary, which V8 then serializes several times slower.
  const context = { ...given, ip } as Record<string, unknown> & NonNullable<ValidEvent['context']>;
  const traits = withTruncatedIps(context.traits);
  if (traits !== context.traits) context.traits = traits;
  const userAgent = context.userAgent ?? arrival.requestUserAgent;
  if (userAgent !== undefined) context.userAgent = userAgent;
  const page = context.page;
  const properties = (('properties' in event ? event.properties : undefined) ?? {}) as Record<
    string,
    unknown
  >;
  const url = stringOr(page?.url) ?? (event.kind === 'page' ? stringOr(properties.url) : null);
  const referrer =
    stringOr(page?.referrer) ??
    stringOr(context.referrer?.url) ??
    (event.kind === 'page' ? stringOr(properties.referrer) : null);
  const fromUrl = paramsOf(url);
  // A blank id names nothing: every event sent with "  " would be a retry of the first one.
  const named =
    event.messageId != null && event.messageId.trim() !== '' ? event.messageId : undefined;
  const unnamed = named === undefined ? contentIds(event, context, arrival.receivedAt) : undefined;
  const campaign = context.campaign ?? {};
  return {
    messageId: named ?? unnamed?.messageId ?? '',
    earlierWindowId: unnamed?.earlierWindowId,
    kind: event.kind,
    anonymousId: blankToNull(event.anonymousId ?? null),
    userId: blankToNull(event.userId ?? null),
    previousId: event.kind === 'alias' ? blankToNull(event.previousId) : null,
    event: event.kind === 'track' ? event.event.toWellFormed() : null,
    timestamp: correctedTime(event, arrival),
    receivedAt: arrival.receivedAt,
    bot: userAgent !== undefined && isBotAgent(userAgent),
    url,
    referrer,
    source: blankToNull(campaign.source ?? null) ?? fromUrl.source,
    medium: blankToNull(campaign.medium ?? null) ?? fromUrl.medium,
    campaign: blankToNull(campaign.name ?? null) ?? fromUrl.campaign,
    term: blankToNull(campaign.term ?? null) ?? fromUrl.term,
    content: blankToNull(campaign.content ?? null) ?? fromUrl.content,
    clickIds: fromUrl.clickIds,
    email: emailOf(event, context),
    phone: phoneOf(event, context),
    propertiesJson: JSON.stringify(withTruncatedIps(storedProperties(event, properties))),
    contextJson: JSON.stringify(context),
  };
}

/** Where a hand-written call may put an address, at the top of its properties or traits. */
const ipKeys = ['ip', 'ipAddress', 'ip_address'] as const;

/**
 * The fields with an address under one of `ipKeys` truncated, as `context.ip` is, and anything
 * else there (a list of addresses) dropped: the raw address is never stored. The same object when
 * there is none, which is nearly always.
 */
function withTruncatedIps<T extends Record<string, unknown> | null | undefined>(fields: T): T {
  if (fields === null || fields === undefined) return fields;
  let copy: Record<string, unknown> | undefined;
  for (const key of ipKeys) {
    if (fields[key] === undefined) continue;
    copy ??= { ...fields };
    const value = fields[key];
    copy[key] = typeof value === 'string' ? truncateIp(value) : undefined;
  }
  return (copy ?? fields) as T;
}

/**
 * What is stored as an event's properties: its own, and what Segment's other calls carry in
 * fields of their own: an identify's traits, a page's name and category.
 */
function storedProperties(
  event: ValidEvent,
  properties: Record<string, unknown>,
): Record<string, unknown> {
  if (event.kind === 'identify') return { ...event.traits, ...properties };
  if (event.kind !== 'page') return properties;
  const sent = event as Record<string, unknown>;
  if (sent.name == null && sent.category == null) return properties;
  const named: Record<string, unknown> = {};
  for (const field of ['name', 'category']) {
    const value = sent[field];
    if (typeof value === 'string' && value !== '' && properties[field] === undefined) {
      named[field] = value;
    }
  }
  return Object.keys(named).length === 0 ? properties : { ...properties, ...named };
}

/** What a page URL's query says: UTM fields and click ids (shared and frozen: read, never written). */
interface UrlParams extends CampaignFields {
  readonly clickIds: Readonly<Record<string, string>>;
}

const noUrlParams: UrlParams = Object.freeze({
  source: null,
  medium: null,
  campaign: null,
  term: null,
  content: null,
  clickIds: Object.freeze({}),
});

const urlParams = new Map<string, UrlParams>();

/** Parsing a query string costs more than the rest of normalizing; page URLs repeat. */
function paramsOf(url: string | null): UrlParams {
  if (url === null) return noUrlParams;
  let params = urlParams.get(url);
  if (params === undefined) {
    params = readUrlParams(url);
    if (urlParams.size >= 10_000) urlParams.clear();
    urlParams.set(url, params);
  }
  return params;
}

function readUrlParams(url: string): UrlParams {
  const query = searchParamsOf(url);
  if (query === null) return noUrlParams;
  const fromUrl = (name: string) => blankToNull(query.get(name));
  const clickIds: Record<string, string> = {};
  for (const param of clickIdParams) {
    const value = fromUrl(param);
    if (value !== null) clickIds[param] = value;
  }
  return Object.freeze({
    source: fromUrl('utm_source'),
    medium: fromUrl('utm_medium'),
    campaign: fromUrl('utm_campaign'),
    term: fromUrl('utm_term'),
    content: fromUrl('utm_content'),
    clickIds: Object.freeze(clickIds),
  });
}

const botVerdicts = new Map<string, boolean>();

/** isbot's pattern is long; traffic repeats a few thousand user agents, so verdicts are kept. */
function isBotAgent(userAgent: string): boolean {
  let verdict = botVerdicts.get(userAgent);
  if (verdict === undefined) {
    verdict = isbot(userAgent);
    if (botVerdicts.size >= 10_000) botVerdicts.clear();
    botVerdicts.set(userAgent, verdict);
  }
  return verdict;
}

/**
 * Segment's clock-skew correction: the client's clock may be wrong, but the time between the event
 * and its sending is right, so the event happened that long before the server received it.
 */
function correctedTime(event: ValidEvent, arrival: Arrival): number {
  const stamp = event.timestamp ?? event.originalTimestamp ?? undefined;
  const sentAt = event.sentAt ?? arrival.sentAt;
  if (stamp === undefined) return arrival.receivedAt;
  const at = parseTime(stamp);
  const sent = sentAt === undefined ? Number.NaN : parseTime(sentAt);
  const corrected = Number.isNaN(sent) ? at : arrival.receivedAt - (sent - at);
  // A skew so large that the correction leaves the calendar is no correction: keep the client's
  // time. Nothing happens after the server received it: a clock ahead, or a sentAt before the
  // event's own time, would date it in the future, after every later touch.
  return Math.min(Math.abs(corrected) <= 8.64e15 ? corrected : at, arrival.receivedAt);
}

/** Where an event gives who it is: identify traits first, then context traits, then a form's fields. */
function traitCandidates(
  event: ValidEvent,
  context: { traits?: Record<string, unknown> | null },
  name: 'email' | 'phone',
): unknown[] {
  const candidates: unknown[] = [context.traits?.[name]];
  if (event.kind === 'identify') candidates.unshift(event.traits?.[name]);
  if (event.kind === 'track') candidates.push(event.properties?.[name]);
  return candidates;
}

function emailOf(
  event: ValidEvent,
  context: { traits?: Record<string, unknown> | null },
): string | null {
  for (const candidate of traitCandidates(event, context, 'email')) {
    if (typeof candidate !== 'string') continue;
    const email = normaliseEmail(candidate);
    if (email.isWellFormed() && looksLikeEmail(email)) return email;
  }
  return null;
}

/** Without a country to read it in, only a number written with its country code is taken. */
function phoneOf(
  event: ValidEvent,
  context: { traits?: Record<string, unknown> | null },
): string | null {
  for (const candidate of traitCandidates(event, context, 'phone')) {
    if (typeof candidate !== 'string' || !candidate.trim().startsWith('+')) continue;
    const number = e164(candidate);
    if (number !== undefined) return number;
  }
  return null;
}

function searchParamsOf(url: string | null): URLSearchParams | null {
  if (url === null) return null;
  const at = url.indexOf('?');
  if (at === -1) return null;
  const hash = url.indexOf('#', at);
  try {
    return new URLSearchParams(url.slice(at + 1, hash === -1 ? undefined : hash));
  } catch {
    return null;
  }
}

/**
 * Text that goes into a column of its own, well-formed: SQLite would store a lone surrogate as
 * bytes that are no UTF-8 and read back as U+FFFD, so the value would no longer equal itself
 * (a stored campaign, compared after a restart, would open a new session).
 */
function stringOr(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.toWellFormed() : null;
}

function blankToNull(value: string | null): string | null {
  return value === null || value.trim() === '' ? null : value.trim().toWellFormed();
}

/** Retries of an event that states no time arrive within this of each other. */
const retryWindowMs = 10 * 60_000;

/**
 * An event sent without a message id still dedupes when retried unchanged. Its `sentAt` is left
 * out: a client stamps it anew on every attempt. One that states no time of its own is also
 * known by the ten minutes it arrived in, and is a retry of the same content from the ten before
 * (`earlierWindowId`): a retry is recognised across a window's edge, and the same call made
 * again twenty minutes or more later (a returning buyer's second request) is a new event. The
 * context hashed is the one stored, its IP truncated: a hash of the raw address would give it
 * back to whoever tries the 256 last octets.
 */
function contentIds(
  event: ValidEvent,
  storedContext: Record<string, unknown>,
  receivedAt: number,
): { messageId: string; earlierWindowId?: string } {
  const { sentAt: _sentAt, ...sent } = event;
  const hashed = (window?: number) => {
    const text = JSON.stringify({ ...sent, context: storedContext, arrival: window });
    return `h-${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
  };
  if ((event.timestamp ?? event.originalTimestamp ?? null) !== null) {
    return { messageId: hashed() };
  }
  const window = Math.floor(receivedAt / retryWindowMs);
  return { messageId: hashed(window), earlierWindowId: hashed(window - 1) };
}
