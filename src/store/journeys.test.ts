import { describe, expect, it } from 'vitest';
import { readJourneys } from './journeys.js';
import type { EventStore, SessionRecord, StateStore } from './ports.js';

describe('readJourneys', () => {
  it('reads a person with hundreds of thousands of sessions (no spread of them onto the stack)', async () => {
    const count = 300_000;
    const session = (n: number): SessionRecord => ({
      id: `s-${n}`,
      workspaceId: 'ws',
      visitorId: 'busy',
      startedAt: n * 3_600_000,
      lastSeenAt: n * 3_600_000,
      landingPage: null,
      referrer: null,
      source: null,
      medium: null,
      campaign: null,
      term: null,
      content: null,
      clickIds: {},
      channel: n % 2 === 0 ? 'Direct' : 'Organic Search',
      bot: false,
      pageViews: 1,
    });
    // Only what readJourneys reads: one identified visitor, never converted, one chunk.
    const events = {
      conversions: async () => [],
      async *streamSessions() {
        yield Array.from({ length: count }, (_, n) => session(n));
      },
    } as unknown as EventStore;
    const state = {
      personsByVisitor: async () => new Map([['busy', 'p-1']]),
    } as unknown as StateStore;
    let journeys = 0;
    let touches = 0;
    for await (const batch of readJourneys(events, state, 'ws')) {
      journeys += batch.journeyCount;
      touches += batch.touchCount;
    }
    expect({ journeys, touches }).toEqual({ journeys: 1, touches: count });
  });
});
