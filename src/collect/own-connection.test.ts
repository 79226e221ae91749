import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createChannelClassifier } from '../core/channels/classify.js';
import { openSqliteStore } from '../store/sqlite/open.js';
import { tempDirectory } from '../test-support/temp-files.js';
import { normalizeEvent } from './normalize.js';
import { openOwnConnectionIngestor } from './own-connection.js';
import { validateEvent } from './validate.js';

const view = (messageId: string, timestamp: string) => {
  const checked = validateEvent({
    type: 'page',
    messageId,
    anonymousId: 'v1',
    timestamp,
    context: { page: { url: 'https://www.acme.com/' } },
  });
  if (!checked.ok) throw new Error(checked.error);
  return normalizeEvent(checked.event, { receivedAt: Date.parse('2026-05-02T00:00:00Z') });
};

describe("the server's collector connection", () => {
  it('commits each page view before answering, and its session activity by the shutdown', async () => {
    const db = join(tempDirectory(), 'collect.db');
    const store = await openSqliteStore(db);
    const { workspace } = await store.state.createWorkspace('acme');
    const ingest = await openOwnConnectionIngestor(db, createChannelClassifier());
    await ingest.submit(workspace, [view('p-1', '2026-05-01T09:00:00Z')]);
    await ingest.submit(workspace, [view('p-2', '2026-05-01T09:04:00Z')]);
    expect(await store.events.countEvents(workspace.id)).toBe(2);
    const activity = async () =>
      (await store.events.sessionsOfVisitors(workspace.id, ['v1'])).map((s) => [
        new Date(s.lastSeenAt).toISOString(),
        s.pageViews,
      ]);
    // The second page view's activity waits (a minute) in the collector's memory.
    expect(await activity()).toEqual([['2026-05-01T09:00:00.000Z', 1]]);
    await ingest.close();
    expect(await activity()).toEqual([['2026-05-01T09:04:00.000Z', 2]]);
    await store.close();
  });
});
