import { createHmac, timingSafeEqual } from 'node:crypto';
import { isPlausibleDate } from '../../core/as-of.js';
import type { Moment } from '../../core/deals.js';
import { ClosedloopError } from '../../core/errors.js';
import { isKnownCurrency, isPlainAmount } from '../../core/money.js';
import type { DealRow, HistoryRow } from '../formats/format.js';
import type { IncomingDeal } from '../import/merge-deal.js';

/** HubSpot's replay window: a signed request older than this is refused. */
export const hubspotMaxAgeMs = 5 * 60_000;

/** Characters HubSpot decodes in the URI before signing (its v3 validation steps). */
const decodedInUri: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export interface SignedRequest {
  readonly method: string;
  /** The full URI HubSpot called, with protocol, host, path and query. */
  readonly uri: string;
  /** The raw body, exactly as received. */
  readonly body: string;
  /** `X-HubSpot-Request-Timestamp`: epoch milliseconds. */
  readonly timestamp: string | undefined;
  /** `X-HubSpot-Signature-v3`: base64 HMAC-SHA256. */
  readonly signature: string | undefined;
}

/** The v3 signature of a request: base64 HMAC-SHA256 of method + URI + body + timestamp. */
export function hubspotSignatureV3(
  secret: string,
  request: Omit<SignedRequest, 'signature'>,
): string {
  const uri = request.uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (code) => {
    return decodedInUri[code.toUpperCase()] ?? code;
  });
  return createHmac('sha256', secret)
    .update(`${request.method}${uri}${request.body}${request.timestamp ?? ''}`, 'utf8')
    .digest('base64');
}

/** Why a request fails validation, or undefined when it is HubSpot's. */
export function hubspotSignatureProblem(
  secret: string,
  request: SignedRequest,
  now: number,
): string | undefined {
  if (request.signature === undefined) return 'X-HubSpot-Signature-v3: the header is missing';
  const timestamp = Number(request.timestamp);
  if (request.timestamp === undefined || !Number.isSafeInteger(timestamp)) {
    return 'X-HubSpot-Request-Timestamp: expected epoch milliseconds';
  }
  if (Math.abs(now - timestamp) > hubspotMaxAgeMs) {
    return 'X-HubSpot-Request-Timestamp: older than 5 minutes (a replay?)';
  }
  const expected = Buffer.from(hubspotSignatureV3(secret, request));
  const given = Buffer.from(request.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return 'X-HubSpot-Signature-v3: the signature does not match this request';
  }
  return undefined;
}

/** One event of a HubSpot webhook delivery (an array of them). */
export interface HubspotEvent {
  readonly eventId?: number | string;
  readonly subscriptionType?: string;
  readonly objectId?: number | string;
  readonly occurredAt?: number;
  readonly propertyName?: string;
  readonly propertyValue?: string;
  readonly associationType?: string;
  readonly fromObjectId?: number | string;
  readonly toObjectId?: number | string;
  readonly associationRemoved?: boolean;
}

/**
 * HubSpot's default pipeline, "Sales Pipeline" in its exports, whose webhooks give only its
 * internal id; its stages are those `defaultStageLabels` names.
 */
const defaultPipelineId = 'default';
const defaultPipelineLabel = 'Sales Pipeline';

/**
 * Whether a custom pipeline's id (a number) replaces the stored deal's pipeline. HubSpot's webhooks
 * give custom pipelines by id and its exports by name, and the id says nothing the name does not:
 * a deal stored with a name keeps it, so it does not flip between the two with each source. The
 * id replaces only what cannot be its name: the default pipeline's (the id moved the deal out of
 * it), no pipeline (stored as `default`, HubSpot's id for the default one) and another id.
 */
function customPipelineReplaces(stored: string): boolean {
  return stored === defaultPipelineLabel || stored === defaultPipelineId || /^\d+$/.test(stored);
}

/**
 * Internal ids of the stages of HubSpot's default pipeline, named as its exports name them.
 * Custom pipelines' stages have numbers for ids, so these ids name these stages whatever the
 * deal's pipeline is said to be.
 */
const defaultStageLabels: Record<string, string> = {
  appointmentscheduled: 'Appointment Scheduled',
  qualifiedtobuy: 'Qualified To Buy',
  presentationscheduled: 'Presentation Scheduled',
  decisionmakerboughtin: 'Decision Maker Bought-In',
  contractsent: 'Contract Sent',
  closedwon: 'Closed Won',
  closedlost: 'Closed Lost',
};

/** What one handled event does to its deal. */
type Change =
  | { readonly kind: 'creation' }
  | { readonly kind: 'contact'; readonly contactId: string }
  | { readonly kind: 'stage'; readonly stage: string }
  | { readonly kind: 'amount'; readonly amount: string }
  | { readonly kind: 'currency'; readonly currency: string }
  | { readonly kind: 'closedate'; readonly ms: number }
  | { readonly kind: 'name'; readonly value: string }
  /** `byId`: a custom pipeline's id, not its name. */
  | { readonly kind: 'pipeline'; readonly value: string; readonly byId: boolean };

interface DealChange {
  readonly dealId: string;
  /** The event's `occurredAt`: the order changes apply in and the time history is dated at. */
  readonly at: number;
  readonly change: Change;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * What a delivery says about deals: `deal.creation` makes the deal, `deal.propertyChange` of
 * `dealstage` adds a stage change dated at `occurredAt` (a late one lands in its place), of
 * `amount`, `deal_currency_code`, `closedate`, `dealname` or `pipeline` sets the field; contact
 * associations link contacts. Each deal's events apply in `occurredAt` order, so the latest
 * change of a field wins whatever order HubSpot sent them in. Other events (a deletion, another
 * object, a property not read, an empty value) make no deal and are counted in `ignored`. A
 * malformed event refuses the whole delivery with `CL_ERR_DEAL_INVALID` naming its field
 * (`events.2.propertyValue`).
 */
export function dealsFromHubspot(events: readonly unknown[]): {
  deals: IncomingDeal[];
  ignored: number;
} {
  // Checked before anything is built, so a refused delivery says nothing about any deal.
  const byDeal = new Map<string, DealChange[]>();
  let ignored = 0;
  events.forEach((event, index) => {
    const change = changeOf(event, `events.${index}`);
    if (change === undefined) {
      ignored++;
      return;
    }
    const changes = byDeal.get(change.dealId) ?? [];
    changes.push(change);
    byDeal.set(change.dealId, changes);
  });
  return {
    deals: [...byDeal].map(([externalId, changes]) => dealOf(externalId, changes)),
    ignored,
  };
}

/** One deal's changes applied in time order (stable: ties keep the delivery's order). */
function dealOf(externalId: string, changes: readonly DealChange[]): IncomingDeal {
  const row: Mutable<DealRow> = { externalId };
  // When each field got the value it has: a later delivery of an older change leaves it alone.
  const fieldTimes: Partial<Record<keyof DealRow, number>> = {};
  const history: HistoryRow[] = [];
  const amountChanges: { at: Moment; amount: string }[] = [];
  let pipelineById = false;
  for (const { at, change } of changes.toSorted((a, b) => a.at - b.at)) {
    const moment = { at, dateOnly: false };
    switch (change.kind) {
      case 'creation':
        row.createdAt = moment;
        fieldTimes.createdAt = at;
        break;
      case 'contact':
        row.contactIds = [...(row.contactIds ?? []), change.contactId];
        break;
      case 'stage':
        history.push({ externalId, stage: change.stage, enteredAt: moment });
        break;
      case 'amount':
        row.amount = change.amount;
        fieldTimes.amount = at;
        amountChanges.push({ at: moment, amount: change.amount });
        break;
      case 'currency':
        row.currency = change.currency;
        fieldTimes.currency = at;
        break;
      case 'closedate':
        row.expectedCloseAt = { at: change.ms, dateOnly: false };
        fieldTimes.expectedCloseAt = at;
        break;
      case 'name':
        row.name = change.value;
        fieldTimes.name = at;
        break;
      case 'pipeline':
        row.pipeline = change.value;
        fieldTimes.pipeline = at;
        pipelineById = change.byId;
        break;
    }
  }
  // Each amount dated by its own `occurredAt`, not by when the delivery is saved.
  const deal: IncomingDeal =
    amountChanges.length === 0
      ? { externalId, row, history, fieldTimes }
      : { externalId, row, history, amountChanges, fieldTimes };
  return pipelineById ? { ...deal, pipelineIdReplaces: customPipelineReplaces } : deal;
}

/** What an event does to which deal; undefined when it is one this reader ignores. */
function changeOf(value: unknown, path: string): DealChange | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(path, 'expected an object', value);
  }
  const event = value as Record<string, unknown>;
  // Never "now": a retried delivery would then date the same change anew.
  const at = event.occurredAt;
  if (typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0 || !isPlausibleDate(at)) {
    throw invalid(`${path}.occurredAt`, 'expected epoch milliseconds from 1900 to 2999', at);
  }
  const text = (key: string): string | undefined => {
    const field = event[key];
    if (field !== undefined && typeof field !== 'string') {
      throw invalid(`${path}.${key}`, 'expected a string', field);
    }
    return field;
  };
  const type = text('subscriptionType');
  if (type === undefined) throw invalid(`${path}.subscriptionType`, 'expected a string', type);
  const propertyName = text('propertyName');
  const propertyValue = text('propertyValue');
  const associationType = text('associationType');
  const removed = event.associationRemoved;
  if (removed !== undefined && typeof removed !== 'boolean') {
    throw invalid(`${path}.associationRemoved`, 'expected true or false', removed);
  }

  // Association changes name their objects by fromObjectId/toObjectId; every other event by objectId.
  if (type.endsWith('.associationChange')) {
    if (type !== 'deal.associationChange' || associationType !== 'DEAL_TO_CONTACT' || removed) {
      return undefined;
    }
    const contactId = idOf(event, 'toObjectId', path);
    return {
      dealId: idOf(event, 'fromObjectId', path),
      at,
      change: { kind: 'contact', contactId },
    };
  }
  const dealId = idOf(event, 'objectId', path);
  if (type === 'deal.creation') return { dealId, at, change: { kind: 'creation' } };
  if (type !== 'deal.propertyChange' || propertyValue === undefined) return undefined;
  const change = propertyChange(propertyName, propertyValue, `${path}.propertyValue`);
  return change === undefined ? undefined : { dealId, at, change };
}

function propertyChange(name: string | undefined, value: string, path: string): Change | undefined {
  const trimmed = value.trim();
  switch (name) {
    case 'dealstage':
      // An empty stage is no stage; own keys only, so "constructor" is not a label.
      if (trimmed === '') return undefined;
      return {
        kind: 'stage',
        stage: Object.hasOwn(defaultStageLabels, value)
          ? (defaultStageLabels[value] ?? value)
          : value,
      };
    case 'amount':
      if (trimmed === '') return undefined;
      // Left to the merge, an amount it cannot hold exactly would be dropped without a word; a
      // negative one is no deal's value (the deals API and Pipedrive refuse it too).
      if (!isPlainAmount(trimmed)) {
        throw invalid(path, 'expected an amount of 0 or more such as 1200.50', value);
      }
      return { kind: 'amount', amount: trimmed };
    case 'deal_currency_code': {
      // In a multi-currency portal the deal's amount is in its own currency, not the workspace's.
      if (trimmed === '') return undefined;
      const code = trimmed.toUpperCase();
      if (!isKnownCurrency(code))
        throw invalid(path, 'expected an ISO 4217 code such as EUR', value);
      return { kind: 'currency', currency: code };
    }
    case 'closedate': {
      // HubSpot sends epoch milliseconds; an empty value (cleared) must not read as 0, 1970.
      if (trimmed === '') return undefined;
      const ms = Number(trimmed);
      if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(ms) || !isPlausibleDate(ms)) {
        throw invalid(path, 'expected closedate as epoch milliseconds from 1900 to 2999', value);
      }
      return { kind: 'closedate', ms };
    }
    case 'dealname':
      return { kind: 'name', value };
    case 'pipeline':
      // Named as the exports name it, so that a deal keeps one pipeline whichever source spoke
      // last: the default pipeline by its name; a custom one's number is left to the merge,
      // which keeps the name a stored deal has for it (`customPipelineReplaces`).
      if (trimmed === defaultPipelineId) {
        return { kind: 'pipeline', value: defaultPipelineLabel, byId: false };
      }
      return { kind: 'pipeline', value, byId: /^\d+$/.test(trimmed) };
    default:
      return undefined;
  }
}

/** A HubSpot object id: a whole number, or its digits as a string. */
function idOf(event: Record<string, unknown>, key: string, path: string): string {
  const id = event[key];
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  if (typeof id === 'string' && id.trim() !== '') return id.trim();
  throw invalid(`${path}.${key}`, 'expected a number or a string', id);
}

function invalid(field: string, expected: string, got: unknown): ClosedloopError {
  const shown = JSON.stringify(got) ?? 'nothing';
  return new ClosedloopError(
    'CL_ERR_DEAL_INVALID',
    `${field}: ${expected}, got ${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown}`,
  );
}
