import { describe, expect, it, vi } from 'vitest';
import { createChannelClassifier } from '../core/channels/classify.js';
import { ClosedloopError } from '../core/errors.js';
import type { EventStore, StateStore } from '../store/ports.js';
import { openSqliteStore } from '../store/sqlite/open.js';
import { stateAfterTurns } from '../test-support/promise-state.js';
import { Ingestor, type IngestorOptions } from './ingest.js';
import { type NormalizedEvent, normalizeEvent } from './normalize.js';
import { validateEvent } from './validate.js';

let counter = 0;
function normalized(raw: Record<string, unknown>): NormalizedEvent {
  const validation = validateEvent({ messageId: `m-${++counter}`, ...raw });
  if (!validation.ok) throw new Error(validation.error);
  // Received after every time the tests give: no event is dated after its arrival.
  return normalizeEvent(validation.event, { receivedAt: Date.parse('2026-05-02T00:00:00Z') });
}
function pageView(anonymousId: string, timestamp = '2026-05-01T09:00:00.000Z'): NormalizedEvent {
  return normalized({
    type: 'page',
    anonymousId,
    timestamp,
    context: { page: { url: 'https://www.acme.com/' } },
  });
}

/** An ingestor on the store, with the default channels and the options a test names. */
function ingestorOn(
  store: { events: EventStore; state: StateStore },
  options: Partial<IngestorOptions> = {},
): Ingestor {
  return new Ingestor({
    events: store.events,
    state: store.state,
    classifierFor: () => createChannelClassifier(),
    ...options,
  });
}

/** The store, its `durable()` held until the test lets each call end. */
async function storeWithGatedSync() {
  const store = await openSqliteStore(':memory:');
  const { workspace } = await store.state.createWorkspace('acme');
  const syncs: { end: (error?: Error) => void }[] = [];
  const events: EventStore = {
    ...store.events,
    durable: () =>
      new Promise((resolve, reject) => {
        syncs.push({ end: (error) => (error === undefined ? resolve() : reject(error)) });
      }),
  };
  const ingestor = ingestorOn(store, { events });
  return { store, workspace, syncs, ingestor };
}

describe('Ingestor', () => {
  it('acknowledges a batch once it is durable, and writes the next one meanwhile', async () => {
    const { store, workspace, syncs, ingestor } = await storeWithGatedSync();
    const first = ingestor.submit(workspace, [pageView('v1')]);
    expect(await stateAfterTurns(first)).toBe('pending');
    // Committed already: visible to readers, waiting only for the disk.
    expect(await store.events.countEvents(workspace.id)).toBe(1);
    expect(syncs).toHaveLength(1);

    const second = ingestor.submit(workspace, [pageView('v2'), pageView('v3')]);
    expect(await stateAfterTurns(second)).toBe('pending');
    expect(await store.events.countEvents(workspace.id)).toBe(3);
    expect(syncs).toHaveLength(2);

    syncs[0]?.end();
    await expect(first).resolves.toEqual({ accepted: 1, duplicates: 0 });
    expect(await stateAfterTurns(second)).toBe('pending');
    const flushed = ingestor.flush();
    expect(await stateAfterTurns(flushed)).toBe('pending');
    syncs[1]?.end();
    await expect(second).resolves.toEqual({ accepted: 2, duplicates: 0 });
    await flushed;
    await store.close();
  });

  it('fails the submissions of a batch whose sync fails; their retry is acknowledged as stored', async () => {
    const { store, workspace, syncs, ingestor } = await storeWithGatedSync();
    const event = pageView('v1');
    const submitted = ingestor.submit(workspace, [event]);
    await stateAfterTurns(submitted);
    syncs[0]?.end(new Error('EIO: i/o error'));
    await expect(submitted).rejects.toThrow('EIO');
    // A shutdown now would report the failure, not a clean flush.
    await expect(ingestor.flush()).rejects.toThrow('EIO');
    const retried = ingestor.submit(workspace, [event]);
    await stateAfterTurns(retried);
    syncs[1]?.end();
    await expect(retried).resolves.toEqual({ accepted: 0, duplicates: 1 });
    await expect(ingestor.flush()).resolves.toBeUndefined();
    expect(await store.events.countEvents(workspace.id)).toBe(1);
    await store.close();
  });

  it('fails only the request whose events cannot be written, not the others of its batch', async () => {
    const store = await openSqliteStore(':memory:');
    const { workspace } = await store.state.createWorkspace('acme');
    // A state store that refuses one email: a stand-in for any one request's events failing.
    const state: StateStore = {
      ...store.state,
      identify: (workspaceId, claim, at) =>
        claim.email === 'poison@example.com'
          ? Promise.reject(new ClosedloopError('CL_ERR_IDENTITY', 'identify: refused'))
          : store.state.identify(workspaceId, claim, at),
    };
    const ingestor = ingestorOn({ events: store.events, state });
    const identify = (email: string) =>
      normalized({ type: 'identify', anonymousId: `v-${email}`, traits: { email } });
    const submitted = [
      ingestor.submit(workspace, [pageView('v1')]),
      ingestor.submit(workspace, [identify('poison@example.com'), pageView('v2')]),
      ingestor.submit(workspace, [identify('ana@example.com')]),
    ];
    const [first, poisoned, last] = await Promise.allSettled(submitted);
    expect(first).toEqual({ status: 'fulfilled', value: { accepted: 1, duplicates: 0 } });
    expect(poisoned).toMatchObject({ status: 'rejected', reason: { code: 'CL_ERR_IDENTITY' } });
    expect(last).toEqual({ status: 'fulfilled', value: { accepted: 1, duplicates: 0 } });
    expect(await store.events.countEvents(workspace.id)).toBe(2);
    await ingestor.close();
    await store.close();
  });

  it('keeps a visitor in one session when the cache lets it go before the batch is committed', async () => {
    const store = await openSqliteStore(':memory:');
    const { workspace } = await store.state.createWorkspace('acme');
    const ingestor = ingestorOn(store, { sessionCacheSize: 1 });
    await ingestor.submit(workspace, [
      pageView('v1', '2026-05-01T09:00:00.000Z'),
      pageView('v2', '2026-05-01T09:00:30.000Z'),
      pageView('v1', '2026-05-01T09:01:00.000Z'),
    ]);
    const [session, ...more] = await store.events.sessionsOfVisitors(workspace.id, ['v1']);
    expect(more).toEqual([]);
    expect(session).toMatchObject({ pageViews: 2, lastSeenAt: Date.parse('2026-05-01T09:01:00Z') });
    await ingestor.close();
    await store.close();
  });

  it('reads the stored sessions of a batch’s visitors the cache lacks in one read', async () => {
    const store = await openSqliteStore(':memory:');
    const { workspace } = await store.state.createWorkspace('acme');
    const reads = { many: [] as string[][], one: [] as string[] };
    const events: EventStore = {
      ...store.events,
      latestSessions: (workspaceId, visitorIds) => {
        reads.many.push([...visitorIds]);
        return store.events.latestSessions(workspaceId, visitorIds);
      },
      latestSession: (workspaceId, visitorId) => {
        reads.one.push(visitorId);
        return store.events.latestSession(workspaceId, visitorId);
      },
    };
    const ingest = (sessionCacheSize?: number) => ingestorOn(store, { events, sessionCacheSize });
    // Visits from yesterday, stored by an earlier process: this one's cache is empty.
    await ingest().submit(workspace, [pageView('v1', '2026-05-01T08:50:00.000Z')]);
    const ingestor = ingest();
    reads.many = [];
    await ingestor.submit(workspace, [
      pageView('v1', '2026-05-01T09:00:00.000Z'),
      pageView('v2', '2026-05-01T09:00:30.000Z'),
      pageView('v1', '2026-05-01T09:01:00.000Z'),
      pageView('v3', '2026-05-01T09:02:00.000Z'),
    ]);
    expect(reads).toEqual({ many: [['v1', 'v2', 'v3']], one: [] });
    // v1 continued its stored session; the others opened theirs.
    const sessions = await store.events.sessionsOfVisitors(workspace.id, ['v1', 'v2', 'v3']);
    expect(sessions.map((session) => [session.visitorId, session.pageViews])).toEqual([
      ['v1', 3],
      ['v2', 1],
      ['v3', 1],
    ]);
    // Visitors the cache holds are not read again.
    reads.many = [];
    await ingestor.submit(workspace, [pageView('v2', '2026-05-01T09:03:00.000Z')]);
    expect(reads.many).toEqual([]);
    await ingestor.close();

    // A visitor cached when the batch began, let go for another one during it, is read alone.
    const small = ingest(1);
    await small.submit(workspace, [pageView('v3', '2026-05-01T09:04:00.000Z')]);
    reads.many = [];
    await small.submit(workspace, [
      pageView('v4', '2026-05-01T09:05:00.000Z'),
      pageView('v3', '2026-05-01T09:06:00.000Z'),
    ]);
    expect(reads).toEqual({ many: [['v4']], one: ['v3'] });
    const [v3, ...more] = await store.events.sessionsOfVisitors(workspace.id, ['v3']);
    expect(more).toEqual([]);
    expect(v3?.pageViews).toBe(3);
    await small.close();
    await store.close();
  });
});

describe('activity written late (activityWriteLagMs)', () => {
  const at = (minutes: number) =>
    new Date(Date.UTC(2026, 4, 1, 9, 0) + minutes * 60_000).toISOString();
  async function lagging(lagMs: number, sessionCacheSize?: number, maxSessionsBehind?: number) {
    const store = await openSqliteStore(':memory:');
    const { workspace } = await store.state.createWorkspace('acme');
    const ingestor = ingestorOn(store, {
      activityWriteLagMs: lagMs,
      sessionCacheSize,
      maxSessionsBehind,
    });
    const stored = async (visitor: string) =>
      (await store.events.sessionsOfVisitors(workspace.id, [visitor])).map((s) => ({
        startedAt: new Date(s.startedAt).toISOString(),
        lastSeenAt: new Date(s.lastSeenAt).toISOString(),
        pageViews: s.pageViews,
        landingPage: s.landingPage,
      }));
    const view = (visitor: string, minutes: number, url = 'https://www.acme.com/') =>
      normalized({
        type: 'page',
        anonymousId: visitor,
        timestamp: at(minutes),
        context: { page: { url } },
      });
    const end = async () => {
      await ingestor.close();
      await store.close();
    };
    return { store, workspace, ingestor, stored, view, end };
  }
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('commits the events and opens sessions at once, keeps continued activity until a flush', async () => {
    const { store, workspace, ingestor, stored, view, end } = await lagging(60_000);
    await ingestor.submit(workspace, [view('v1', 0)]);
    await ingestor.submit(workspace, [view('v1', 5, 'https://www.acme.com/pricing')]);
    await ingestor.submit(workspace, [view('v1', 9, 'https://www.acme.com/docs')]);
    expect(await store.events.countEvents(workspace.id)).toBe(3);
    const opened = { startedAt: at(0), landingPage: 'https://www.acme.com/' };
    expect(await stored('v1')).toEqual([{ ...opened, lastSeenAt: at(0), pageViews: 1 }]);
    await ingestor.flush();
    expect(await stored('v1')).toEqual([{ ...opened, lastSeenAt: at(9), pageViews: 3 }]);
    await end();
  });

  it('writes a new first touch at once, whatever the lag', async () => {
    const { workspace, ingestor, stored, view, end } = await lagging(60_000);
    await ingestor.submit(workspace, [view('v1', 10, 'https://www.acme.com/pricing')]);
    // Delivered late: the ad's landing that came before it.
    await ingestor.submit(workspace, [view('v1', 8, 'https://www.acme.com/?utm_source=google')]);
    expect(await stored('v1')).toEqual([
      {
        startedAt: at(8),
        lastSeenAt: at(10),
        pageViews: 2,
        landingPage: 'https://www.acme.com/?utm_source=google',
      },
    ]);
    await end();
  });

  it('places a visitor the cache let go by the activity kept in memory, not the stored one', async () => {
    const { workspace, ingestor, stored, view, end } = await lagging(60_000, 1);
    await ingestor.submit(workspace, [view('v1', 0)]);
    await ingestor.submit(workspace, [view('v1', 20)]);
    await ingestor.submit(workspace, [view('v2', 21)]);
    // 45 minutes after the stored last page view, 25 after the one kept in memory: one visit.
    await ingestor.submit(workspace, [view('v1', 45)]);
    await ingestor.flush();
    expect(await stored('v1')).toEqual([
      { startedAt: at(0), lastSeenAt: at(45), pageViews: 3, landingPage: 'https://www.acme.com/' },
    ]);
    await end();
  });

  it('writes activity that has waited the lag: with the next batch, or alone without traffic', async () => {
    const { workspace, ingestor, stored, view, end } = await lagging(40);
    await ingestor.submit(workspace, [view('v1', 0)]);
    await ingestor.submit(workspace, [view('v1', 3)]);
    await sleep(60);
    await ingestor.submit(workspace, [view('v2', 4)]);
    expect((await stored('v1'))[0]).toMatchObject({ lastSeenAt: at(3), pageViews: 2 });
    await ingestor.submit(workspace, [view('v1', 6)]);
    expect((await stored('v1'))[0]).toMatchObject({ lastSeenAt: at(3), pageViews: 2 });
    await sleep(150);
    expect((await stored('v1'))[0]).toMatchObject({ lastSeenAt: at(6), pageViews: 3 });
    await end();
  });

  it('writes the kept activity when the first is due, not a whole lag after the timer was set', async () => {
    const { workspace, ingestor, stored, view, end } = await lagging(300);
    await ingestor.submit(workspace, [view('v1', 0), view('v2', 0)]);
    await ingestor.submit(workspace, [view('v1', 1)]);
    await sleep(50);
    await ingestor.submit(workspace, [view('v2', 1)]);
    // Due 300 ms after it was kept, where the first timer (set for v1) fires 250 ms after it.
    await sleep(430);
    expect((await stored('v2'))[0]).toMatchObject({ lastSeenAt: at(1), pageViews: 2 });
    await end();
  });

  it('keeps its deadlines when the wall clock steps back', async () => {
    const { workspace, ingestor, stored, view, end } = await lagging(40);
    try {
      await ingestor.submit(workspace, [view('v1', 0)]);
      await ingestor.submit(workspace, [view('v1', 2)]);
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() - 3_600_000);
      await sleep(80);
      await ingestor.submit(workspace, [view('v2', 3)]);
      expect((await stored('v1'))[0]).toMatchObject({ lastSeenAt: at(2), pageViews: 2 });
    } finally {
      vi.useRealTimers();
    }
    await end();
  });

  it('keeps nothing back once closing: a late submission is written with its batch', async () => {
    const { store, workspace, ingestor, stored, view } = await lagging(60_000);
    await ingestor.submit(workspace, [view('v1', 0)]);
    await ingestor.submit(workspace, [view('v1', 1)]);
    await ingestor.close();
    expect((await stored('v1'))[0]).toMatchObject({ lastSeenAt: at(1), pageViews: 2 });
    await ingestor.submit(workspace, [view('v1', 2)]);
    expect((await stored('v1'))[0]).toMatchObject({ lastSeenAt: at(2), pageViews: 3 });
    await store.close();
  });

  it('writes the oldest kept activity once more sessions than the bound wait', async () => {
    const { workspace, ingestor, stored, view, end } = await lagging(60_000, undefined, 3);
    const visitors = ['a', 'b', 'c', 'd', 'e'];
    await ingestor.submit(
      workspace,
      visitors.map((visitor) => view(visitor, 0)),
    );
    await ingestor.submit(
      workspace,
      visitors.map((visitor) => view(visitor, 1)),
    );
    expect((await stored('a'))[0]).toMatchObject({ pageViews: 1 });
    await ingestor.submit(workspace, [view('f', 2)]);
    for (const visitor of visitors) {
      expect((await stored(visitor))[0]).toMatchObject({ lastSeenAt: at(1), pageViews: 2 });
    }
    await end();
  });
});
