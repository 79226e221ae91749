import type { ConversionRecord, EventWrite, SessionRecord, StoredEvent } from '../ports.js';

/** Records for the conformance suites: plausible defaults, any field overridable. */
export const t0 = Date.UTC(2026, 0, 5, 9, 0);
export const minute = 60_000;

export function pageEvent(
  workspaceId: string,
  messageId: string,
  fields: Partial<StoredEvent> = {},
): StoredEvent {
  return {
    workspaceId,
    messageId,
    type: 'page',
    anonymousId: 'v1',
    userId: null,
    event: null,
    timestamp: t0,
    receivedAt: t0 + 40,
    sessionId: 's1',
    bot: false,
    propertiesJson: JSON.stringify({ path: '/pricing', title: 'Pricing' }),
    contextJson: JSON.stringify({ ip: '192.0.2.0', userAgent: 'Mozilla/5.0' }),
    ...fields,
  };
}

export function session(
  workspaceId: string,
  id: string,
  fields: Partial<SessionRecord> = {},
): SessionRecord {
  return {
    id,
    workspaceId,
    visitorId: 'v1',
    startedAt: t0,
    lastSeenAt: t0,
    landingPage: 'https://example.com/pricing?utm_source=google',
    referrer: 'https://www.google.com/',
    source: 'google',
    medium: 'cpc',
    campaign: 'brand',
    term: 'attribution',
    content: null,
    clickIds: { gclid: 'Cj0KCQ' },
    channel: 'Paid Search',
    bot: false,
    pageViews: 1,
    ...fields,
  };
}

export function conversion(
  workspaceId: string,
  id: string,
  fields: Partial<ConversionRecord> = {},
): ConversionRecord {
  return {
    id,
    workspaceId,
    visitorId: 'v1',
    type: 'lead',
    at: t0 + 5 * minute,
    sessionId: 's1',
    messageId: 'm-form',
    ...fields,
  };
}

export function write(fields: Partial<EventWrite>): EventWrite {
  return { events: [], sessions: [], conversions: [], ...fields };
}
