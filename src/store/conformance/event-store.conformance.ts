import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore, SessionRecord } from '../ports.js';
import { failure } from './failure.js';
import { conversion, minute, pageEvent, session, t0, write } from './records.js';

export interface OpenedEventStore {
  readonly events: EventStore;
  close(): Promise<void>;
}

/**
 * The behaviour every EventStore engine owes its callers. `open` gives a fresh, empty store for
 * each test; workspace ids need not exist in any state store.
 */
export function describeEventStoreConformance(
  engine: string,
  open: () => Promise<OpenedEventStore>,
): void {
  describe(`EventStore conformance: ${engine}`, () => {
    let opened: OpenedEventStore;
    let store: EventStore;
    beforeEach(async () => {
      opened = await open();
      store = opened.events;
    });
    afterEach(async () => {
      await opened.close();
    });

    describe('append', () => {
      it('stores the events and counts them', async () => {
        const result = await store.append(
          write({ events: [pageEvent('ws_a', 'm1'), pageEvent('ws_a', 'm2')] }),
        );
        expect(result.inserted).toBe(2);
        expect(await store.countEvents('ws_a')).toBe(2);
        expect(await store.append(write({}))).toEqual({ inserted: 0, conversionsInserted: 0 });
      });

      it('makes what was appended durable on request, many callers at once', async () => {
        await store.append(write({ events: [pageEvent('ws_a', 'm1')] }));
        const first = store.durable();
        await store.append(write({ events: [pageEvent('ws_a', 'm2')] }));
        await Promise.all([first, store.durable(), store.durable()]);
        expect(await store.countEvents('ws_a')).toBe(2);
      });

      it('skips an event whose message id is stored, across writes and within one', async () => {
        expect((await store.append(write({ events: [pageEvent('ws_a', 'm1')] }))).inserted).toBe(1);
        const retry = write({
          events: [
            pageEvent('ws_a', 'm1', { timestamp: t0 + minute }),
            pageEvent('ws_a', 'm2'),
            pageEvent('ws_a', 'm2', { type: 'track', event: 'Signed Up' }),
          ],
        });
        expect((await store.append(retry)).inserted).toBe(1);
        expect(await store.countEvents('ws_a')).toBe(2);
      });

      it('is all or nothing: a write with a malformed record stores none of it', async () => {
        const broken = conversion('ws_a', 'c1', { visitorId: null as unknown as string });
        const records = {
          events: [pageEvent('ws_a', 'm1'), pageEvent('ws_a', 'm2')],
          sessions: [session('ws_a', 's1')],
        };
        await failure(store.append(write({ ...records, conversions: [broken] })));
        expect(await store.countEvents('ws_a')).toBe(0);
        expect(await store.existingMessageIds('ws_a', ['m1', 'm2'])).toEqual(new Set());
        expect(await store.latestSession('ws_a', 'v1')).toBeUndefined();
        expect(await store.conversions('ws_a')).toEqual([]);

        const fixed = conversion('ws_a', 'c1');
        expect(await store.append(write({ ...records, conversions: [fixed] }))).toEqual({
          inserted: 2,
          conversionsInserted: 1,
        });
        expect(await store.conversions('ws_a')).toEqual([fixed]);
      });

      it('stores a conversion once, the first version kept', async () => {
        const first = conversion('ws_a', 'c1');
        const again = conversion('ws_a', 'c1', { at: t0 + 9 * minute, type: 'demo' });
        expect(
          (await store.append(write({ conversions: [first, again] }))).conversionsInserted,
        ).toBe(1);
        expect((await store.append(write({ conversions: [again] }))).conversionsInserted).toBe(0);
        expect(await store.conversions('ws_a')).toEqual([first]);
      });

      it('upserts sessions by id: first touch kept, lastSeenAt grows, pageViews replaced', async () => {
        const first = session('ws_a', 's1', { pageViews: 1 });
        await store.append(write({ sessions: [first] }));
        const later = session('ws_a', 's1', {
          startedAt: t0 + minute,
          lastSeenAt: t0 + 12 * minute,
          landingPage: 'https://example.com/blog',
          referrer: null,
          source: 'newsletter',
          medium: 'email',
          campaign: null,
          clickIds: {},
          channel: 'Email',
          pageViews: 4,
        });
        await store.append(write({ sessions: [later] }));
        const expected = { ...first, lastSeenAt: t0 + 12 * minute, pageViews: 4 };
        expect(await store.latestSession('ws_a', 'v1')).toEqual(expected);

        // A late write of an earlier page view never moves lastSeenAt back.
        await store.append(
          write({ sessions: [{ ...first, lastSeenAt: t0 + 2 * minute, pageViews: 4 }] }),
        );
        expect(await store.latestSession('ws_a', 'v1')).toEqual(expected);
      });

      it('takes the first touch of a write that starts earlier, and keeps lastSeenAt', async () => {
        const first = session('ws_a', 's1', {
          startedAt: t0 + 5 * minute,
          lastSeenAt: t0 + 8 * minute,
          pageViews: 2,
        });
        await store.append(write({ sessions: [first] }));
        const landing = session('ws_a', 's1', {
          startedAt: t0,
          lastSeenAt: t0 + 3 * minute,
          landingPage: 'https://example.com/?utm_source=newsletter&utm_medium=email',
          referrer: 'https://mail.example.net/',
          source: 'newsletter',
          medium: 'email',
          campaign: 'may',
          term: 'crm',
          content: 'hero',
          clickIds: { gclid: 'g-1' },
          channel: 'Email',
          bot: true,
          pageViews: 3,
        });
        await store.append(write({ sessions: [landing] }));
        const expected = { ...landing, lastSeenAt: first.lastSeenAt };
        expect(await store.latestSession('ws_a', 'v1')).toEqual(expected);
        // The later first touch, written again, changes nothing of it.
        await store.append(write({ sessions: [{ ...first, pageViews: 3 }] }));
        expect(await store.latestSession('ws_a', 'v1')).toEqual(expected);
      });

      it('round-trips every session field, nulls, click ids and the bot flag', async () => {
        const bare = session('ws_a', 's1', {
          landingPage: null,
          referrer: null,
          source: null,
          medium: null,
          campaign: null,
          term: null,
          content: null,
          clickIds: {},
          channel: 'Direct',
          bot: true,
        });
        const rich = session('ws_a', 's2', {
          startedAt: t0 + 60 * minute,
          lastSeenAt: t0 + 70 * minute,
          content: 'hero-banner',
          clickIds: { gclid: 'Cj0', fbclid: 'IwAR', li_fat_id: 'x-1' },
          pageViews: 7,
        });
        await store.append(write({ sessions: [bare, rich] }));
        expect(await store.sessionsOfVisitors('ws_a', ['v1'])).toEqual([bare, rich]);
      });
    });

    describe('existingMessageIds', () => {
      it('answers for batches beyond a thousand ids, parameters never read as SQL', async () => {
        const ids = Array.from({ length: 2500 }, (_, i) => `m${i}`);
        ids.push(`m'"; DROP TABLE events; --`, 'naïve,ü', '', '[1,2]');
        const stored = ids.filter((_, i) => i % 2 === 0 || i >= 2500);
        await store.append(write({ events: stored.map((id) => pageEvent('ws_a', id)) }));
        expect(await store.existingMessageIds('ws_a', ids)).toEqual(new Set(stored));
        expect(await store.existingMessageIds('ws_a', [])).toEqual(new Set());
        expect(await store.existingMessageIds('ws_a', ['m1', 'm3'])).toEqual(new Set());
        expect(await store.countEvents('ws_a')).toBe(stored.length);
      });
    });

    describe('reads', () => {
      it('latestSession gives the visitor’s most recent session', async () => {
        await store.append(
          write({
            sessions: [
              session('ws_a', 's2', { startedAt: t0 + 90 * minute, lastSeenAt: t0 + 95 * minute }),
              session('ws_a', 's3', { startedAt: t0 + 30 * minute, lastSeenAt: t0 + 40 * minute }),
              session('ws_a', 's1'),
              session('ws_a', 's9', { visitorId: 'v2', startedAt: t0 + 200 * minute }),
            ],
          }),
        );
        expect((await store.latestSession('ws_a', 'v1'))?.id).toBe('s2');
        expect((await store.latestSession('ws_a', 'v2'))?.id).toBe('s9');
        expect(await store.latestSession('ws_a', 'v3')).toBeUndefined();
        // Where a late event goes: the last session started by its time.
        expect((await store.sessionAt('ws_a', 'v1', t0 + 35 * minute))?.id).toBe('s3');
        expect((await store.sessionAt('ws_a', 'v1', t0 + 30 * minute))?.id).toBe('s3');
        expect((await store.sessionAt('ws_a', 'v1', t0 + 89 * minute))?.id).toBe('s3');
        expect((await store.sessionAt('ws_a', 'v1', t0 + 500 * minute))?.id).toBe('s2');
        expect(await store.sessionAt('ws_a', 'v1', t0 - 1)).toBeUndefined();
        expect(await store.sessionAt('ws_b', 'v1', t0 + 35 * minute)).toBeUndefined();
        // And what a late page view may have begun: the first session started after its time.
        expect((await store.sessionAfter('ws_a', 'v1', t0 - 1))?.id).toBe('s1');
        expect((await store.sessionAfter('ws_a', 'v1', t0))?.id).toBe('s3');
        expect((await store.sessionAfter('ws_a', 'v1', t0 + 89 * minute))?.id).toBe('s2');
        expect(await store.sessionAfter('ws_a', 'v1', t0 + 90 * minute)).toBeUndefined();
        expect(await store.sessionAfter('ws_b', 'v1', t0 - 1)).toBeUndefined();
      });

      it('latestSessions gives each visitor’s most recent session in one read, this workspace’s only', async () => {
        const odd = `v'"; DROP TABLE sessions; --`;
        await store.append(
          write({
            sessions: [
              session('ws_a', 's2', { startedAt: t0 + 90 * minute, lastSeenAt: t0 + 95 * minute }),
              session('ws_a', 's1'),
              session('ws_a', 's9', { visitorId: 'v2', startedAt: t0 + 200 * minute }),
              session('ws_a', 's8', { visitorId: 'v2', startedAt: t0 + 100 * minute }),
              session('ws_a', 's5', { visitorId: odd }),
              session('ws_b', 's7', { visitorId: 'v3', startedAt: t0 + 300 * minute }),
            ],
          }),
        );
        const latest = async (workspaceId: string, visitorIds: string[]) =>
          (await store.latestSessions(workspaceId, visitorIds))
            .map((found) => [found.visitorId, found.id])
            .sort();
        expect(await latest('ws_a', ['v1', 'v2', 'v3', odd, 'nobody'])).toEqual(
          [
            ['v1', 's2'],
            ['v2', 's9'],
            [odd, 's5'],
          ].sort(),
        );
        expect(await latest('ws_b', ['v1', 'v2', 'v3'])).toEqual([['v3', 's7']]);
        expect(await latest('ws_a', [])).toEqual([]);
        // Each session whole, as latestSession gives it.
        const [whole] = await store.latestSessions('ws_a', ['v2']);
        expect(whole).toEqual(await store.latestSession('ws_a', 'v2'));
        // A long list in one read.
        const many = Array.from({ length: 2500 }, (_, i) => `w${i}`);
        await store.append(
          write({ sessions: many.map((visitorId, i) => session('ws_a', `m${i}`, { visitorId })) }),
        );
        expect(await store.latestSessions('ws_a', [...many, 'v1'])).toHaveLength(2501);
      });

      it('sessionsOfVisitors and conversionsOfVisitors keep time order across visitors', async () => {
        const at = (minutes: number) => t0 + minutes * minute;
        const sessions = [
          session('ws_a', 's4', { visitorId: 'v2', startedAt: at(50), lastSeenAt: at(55) }),
          session('ws_a', 's1', { visitorId: 'v1', startedAt: at(0), lastSeenAt: at(5) }),
          session('ws_a', 's3', { visitorId: 'v1', startedAt: at(40), lastSeenAt: at(41) }),
          session('ws_a', 's2', { visitorId: 'v2', startedAt: at(20), lastSeenAt: at(21) }),
          session('ws_a', 's5', { visitorId: 'v3', startedAt: at(10), lastSeenAt: at(11) }),
        ];
        const conversions = [
          conversion('ws_a', 'c3', { visitorId: 'v1', at: at(42), sessionId: 's3' }),
          conversion('ws_a', 'c1', { visitorId: 'v2', at: at(21), sessionId: 's2' }),
          conversion('ws_a', 'c2', { visitorId: 'v3', at: at(11), sessionId: null }),
        ];
        await store.append(write({ sessions, conversions }));
        const ids = (records: readonly { id: string }[]) => records.map((record) => record.id);
        expect(ids(await store.sessionsOfVisitors('ws_a', ['v2', 'v1']))).toEqual([
          's1',
          's2',
          's3',
          's4',
        ]);
        expect(ids(await store.sessionsOfVisitors('ws_a', ['v3', 'nobody']))).toEqual(['s5']);
        expect(await store.sessionsOfVisitors('ws_a', [])).toEqual([]);
        expect(ids(await store.conversionsOfVisitors('ws_a', ['v1', 'v2']))).toEqual(['c1', 'c3']);
        expect(await store.conversionsOfVisitors('ws_a', [])).toEqual([]);
        expect(ids(await store.conversions('ws_a'))).toEqual(['c2', 'c1', 'c3']);
      });
    });

    describe('streamSessions', () => {
      it('streams every session by visitor then time, in chunks of the size asked', async () => {
        const sessions = manySessions('ws_a', 2500);
        await store.append(write({ sessions }));
        const chunks: SessionRecord[][] = [];
        for await (const chunk of store.streamSessions('ws_a', 1000)) chunks.push(chunk);
        expect(chunks.map((chunk) => chunk.length)).toEqual([1000, 1000, 500]);
        const streamed = chunks.flat();
        expect(new Set(streamed.map((s) => s.id)).size).toBe(2500);
        expect(streamed.map((s) => s.id).sort()).toEqual(sessions.map((s) => s.id).sort());
        for (let i = 1; i < streamed.length; i += 1) {
          const before = streamed[i - 1] as SessionRecord;
          const here = streamed[i] as SessionRecord;
          const ordered =
            before.visitorId < here.visitorId ||
            (before.visitorId === here.visitorId && before.startedAt <= here.startedAt);
          expect(ordered, `${before.id} before ${here.id}`).toBe(true);
        }

        // Small chunks end inside runs of sessions of one visitor starting at the same moment:
        // none may be lost or repeated at a boundary.
        const small: string[] = [];
        for await (const chunk of store.streamSessions('ws_a', 7)) {
          expect(chunk.length).toBeLessThanOrEqual(7);
          small.push(...chunk.map((s) => s.id));
        }
        expect(small).toEqual(streamed.map((s) => s.id));
        let total = 0;
        for await (const chunk of store.streamSessions('ws_a')) total += chunk.length;
        expect(total).toBe(2500);
        for await (const chunk of store.streamSessions('ws_empty', 10)) {
          expect.unreachable(`an empty workspace yielded ${chunk.length} sessions`);
        }
      });
    });

    describe('tenant isolation', () => {
      it('never shows one workspace the events, sessions or conversions of another', async () => {
        const records = (ws: string, channel: string) =>
          write({
            events: [pageEvent(ws, 'm1'), pageEvent(ws, `m-${ws}`)],
            sessions: [session(ws, 's1', { channel })],
            conversions: [conversion(ws, 'c1', { type: `lead-${ws}` })],
          });
        expect((await store.append(records('ws_a', 'Paid Search'))).inserted).toBe(2);
        expect((await store.append(records('ws_b', 'Email'))).inserted).toBe(2);
        await store.append(
          write({
            sessions: [
              session('ws_b', 's1', { lastSeenAt: t0 + 99 * minute, pageViews: 9 }),
              session('ws_b', 's0', { visitorId: 'v0', startedAt: t0 - minute }),
              session('ws_b', 's2', { visitorId: 'v2', startedAt: t0 + minute }),
            ],
          }),
        );

        for (const [ws, other, channel] of [
          ['ws_a', 'ws_b', 'Paid Search'],
          ['ws_b', 'ws_a', 'Email'],
        ] as const) {
          expect(await store.countEvents(ws)).toBe(2);
          expect(await store.existingMessageIds(ws, ['m1', `m-${ws}`, `m-${other}`])).toEqual(
            new Set(['m1', `m-${ws}`]),
          );
          const latest = await store.latestSession(ws, 'v1');
          expect(latest).toMatchObject({ workspaceId: ws, channel });
          const ofVisitors = await store.sessionsOfVisitors(ws, ['v1']);
          expect(ofVisitors).toEqual([latest]);
          const streamed: SessionRecord[] = [];
          for await (const chunk of store.streamSessions(ws, 1)) streamed.push(...chunk);
          expect(streamed.map((s) => s.id)).toEqual(ws === 'ws_a' ? ['s1'] : ['s0', 's1', 's2']);
          expect(streamed.every((s) => s.workspaceId === ws)).toBe(true);
          const conversions = [conversion(ws, 'c1', { type: `lead-${ws}` })];
          expect(await store.conversionsOfVisitors(ws, ['v1'])).toEqual(conversions);
          expect(await store.conversions(ws)).toEqual(conversions);
        }
        expect((await store.latestSession('ws_a', 'v1'))?.pageViews).toBe(1);
        expect((await store.latestSession('ws_b', 'v1'))?.pageViews).toBe(9);
        expect(await store.countEvents('ws_c')).toBe(0);
      });
    });
  });
}

/** `count` sessions of 400 visitors in shuffled order, some starting at the same moment. */
function manySessions(workspaceId: string, count: number): SessionRecord[] {
  const sessions = Array.from({ length: count }, (_, i) => {
    const visitorId = `v${String((i * 7919) % 400).padStart(4, '0')}`;
    const startedAt = t0 + ((i * 104_729) % 3) * 30 * minute;
    return session(workspaceId, `s${String(i).padStart(5, '0')}`, {
      visitorId,
      startedAt,
      lastSeenAt: startedAt + minute,
    });
  });
  // A fixed shuffle (Fisher–Yates on the MINSTD sequence): no help from insertion order.
  let seed = 12_345;
  for (let i = sessions.length - 1; i > 0; i -= 1) {
    seed = (seed * 48_271) % 2_147_483_647;
    const j = seed % (i + 1);
    [sessions[i], sessions[j]] = [sessions[j] as SessionRecord, sessions[i] as SessionRecord];
  }
  return sessions;
}
