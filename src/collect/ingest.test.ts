import { describe, expect, it } from 'vitest';
import { createChannelClassifier } from '../core/channels/classify.js';
import type { EventStore } from '../store/ports.js';
import { openSqliteStore } from '../store/sqlite/open.js';
import { stateAfterTurns } from '../test-support/promise-state.js';
import { Ingestor } from './ingest.js';
import { type NormalizedEvent, normalizeEvent } from './normalize.js';
import { validateEvent } from './validate.js';

let counter = 0;
function pageView(anonymousId: string): NormalizedEvent {
  const validation = validateEvent({
    type: 'page',
    messageId: `m-${++counter}`,
    anonymousId,
    timestamp: '2026-05-01T09:00:00.000Z',
    context: { page: { url: 'https://www.acme.com/' } },
  });
  if (!validation.ok) throw new Error(validation.error);
  return normalizeEvent(validation.event, { receivedAt: Date.parse('2026-05-01T09:00:01Z') });
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
  const ingestor = new Ingestor({
    events,
    state: store.state,
    classifierFor: () => createChannelClassifier(),
  });
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
    const retried = ingestor.submit(workspace, [event]);
    await stateAfterTurns(retried);
    syncs[1]?.end();
    await expect(retried).resolves.toEqual({ accepted: 0, duplicates: 1 });
    expect(await store.events.countEvents(workspace.id)).toBe(1);
    await store.close();
  });
});
