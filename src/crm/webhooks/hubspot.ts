import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HistoryRow } from '../formats/format.js';
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

/** Internal ids of HubSpot's default sales pipeline, named as its exports name them. */
const defaultStageLabels: Record<string, string> = {
  appointmentscheduled: 'Appointment Scheduled',
  qualifiedtobuy: 'Qualified To Buy',
  presentationscheduled: 'Presentation Scheduled',
  decisionmakerboughtin: 'Decision Maker Bought-In',
  contractsent: 'Contract Sent',
  closedwon: 'Closed Won',
  closedlost: 'Closed Lost',
};

/**
 * What a delivery says about deals: `deal.creation` makes the deal, `deal.propertyChange` of
 * `dealstage` adds a dated stage change (a late one lands in its place), of `amount`, `closedate`,
 * `dealname` or `pipeline` sets the field; contact associations link contacts. Other events are
 * ignored (counted by the caller).
 */
export function dealsFromHubspot(events: readonly HubspotEvent[]): {
  deals: IncomingDeal[];
  ignored: number;
} {
  const byId = new Map<string, { row: Record<string, unknown>; history: HistoryRow[] }>();
  let ignored = 0;
  const deal = (id: string) => {
    let found = byId.get(id);
    if (found === undefined) {
      found = { row: { externalId: id }, history: [] };
      byId.set(id, found);
    }
    return found;
  };
  for (const event of events) {
    const at = { at: event.occurredAt ?? Date.now(), dateOnly: false };
    const type = event.subscriptionType ?? '';
    if (type === 'deal.associationChange' && event.associationType === 'DEAL_TO_CONTACT') {
      if (event.associationRemoved === true || event.fromObjectId === undefined) continue;
      const target = deal(String(event.fromObjectId));
      target.row.contactIds = [
        ...((target.row.contactIds as string[]) ?? []),
        String(event.toObjectId),
      ];
      continue;
    }
    if (event.objectId === undefined || !type.startsWith('deal.')) {
      ignored++;
      continue;
    }
    const target = deal(String(event.objectId));
    if (type === 'deal.creation') {
      target.row.createdAt = at;
      continue;
    }
    if (type !== 'deal.propertyChange' || event.propertyValue === undefined) {
      ignored++;
      continue;
    }
    const value = event.propertyValue;
    switch (event.propertyName) {
      case 'dealstage':
        target.history.push({
          externalId: String(event.objectId),
          stage: defaultStageLabels[value] ?? value,
          enteredAt: at,
        });
        break;
      case 'amount':
        if (value.trim() !== '') target.row.amount = value.trim();
        break;
      case 'closedate': {
        const ms = Number(value);
        if (Number.isFinite(ms)) target.row.expectedCloseAt = { at: ms, dateOnly: false };
        break;
      }
      case 'dealname':
        target.row.name = value;
        break;
      case 'pipeline':
        target.row.pipeline = value;
        break;
      default:
        ignored++;
    }
  }
  return {
    deals: [...byId].map(([externalId, { row, history }]) => ({
      externalId,
      row: row as unknown as IncomingDeal['row'],
      history,
    })),
    ignored,
  };
}
