import { describe, expect, it } from 'vitest';
import { conversion, session as storedSession, t0, write } from './conformance/records.js';
import { readJourneys, unattributedChannel } from './journeys.js';
import type { EventStore, SessionRecord, StateStore } from './ports.js';
import { openSqliteStore } from './sqlite/open.js';

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

  it('credits a conversion with no session before it to Unattributed instead of losing it', async () => {
    const store = await openSqliteStore(':memory:');
    const ws = (await store.state.ensureDefaultWorkspace()).id;
    // A call-in lead with no visit; a visitor whose only session is a bot's; one real visit.
    await store.state.identify(ws, { visitorId: 'user:caller', email: 'caller@acme.com' }, t0);
    await store.events.append(
      write({
        sessions: [
          storedSession(ws, 's-bot', { visitorId: 'crawler', startedAt: t0, bot: true }),
          storedSession(ws, 's-web', { visitorId: 'web', startedAt: t0, channel: 'Email' }),
        ],
        conversions: [
          conversion(ws, 'c-call', { visitorId: 'user:caller', at: t0 + 60_000 }),
          conversion(ws, 'c-bot', { visitorId: 'crawler', at: t0 + 60_000 }),
          conversion(ws, 'c-web', { visitorId: 'web', at: t0 + 60_000 }),
        ],
      }),
    );
    const journeys: [string[], number][] = [];
    for await (const batch of readJourneys(store.events, store.state, ws)) {
      const names = batch.dictionaries.channels.names;
      for (let j = 0; j < batch.journeyCount; j++) {
        const touches = batch.touchChannel.subarray(
          batch.touchOffsets[j],
          batch.touchOffsets[j + 1],
        );
        journeys.push([
          Array.from(touches, (id) => names[id] as string),
          batch.conversions[j] as number,
        ]);
      }
    }
    expect(journeys.sort()).toEqual([
      [['Email'], 1],
      [[unattributedChannel], 1],
      [[unattributedChannel], 1],
    ]);
    await store.close();
  });
});
