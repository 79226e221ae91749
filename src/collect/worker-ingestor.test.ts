import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite/open.js';
import { tempDirectory } from '../test-support/temp-files.js';
import type { Delivery } from './deliveries.js';
import { normalizeEvent } from './normalize.js';
import { validateEvent } from './validate.js';

// The writer thread runs compiled code: load the built module, as `closedloop serve` does.
const { WorkerIngestor } = (await import(
  join(import.meta.dirname, '../../dist/collect/worker-ingestor.js')
)) as typeof import('./worker-ingestor.js');
const db = join(tempDirectory(), 'worker.db');

function pageView(n: number) {
  const checked = validateEvent({
    type: 'page',
    messageId: `w-${n}`,
    anonymousId: `v-${n % 3}`,
    context: { page: { url: 'https://acme.com/?utm_source=google&utm_medium=cpc' } },
  });
  if (!checked.ok) throw new Error(checked.error);
  return normalizeEvent(checked.event, { receivedAt: Date.UTC(2026, 0, 1) + n });
}

describe('the writer thread', () => {
  it('commits what concurrent submissions send, once each, before answering', async () => {
    const store = await openSqliteStore(db);
    const { workspace } = await store.state.createWorkspace('worker');
    const ingest = new WorkerIngestor(db);
    await ingest.start();
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        ingest.submit(workspace, [pageView(n), pageView(n + 1)]),
      ),
    );
    expect(outcomes.reduce((sum, o) => sum + o.accepted, 0)).toBe(41);
    expect(outcomes.reduce((sum, o) => sum + o.duplicates, 0)).toBe(39);
    // Answered means committed: another connection sees every event at once.
    expect(await store.events.countEvents(workspace.id)).toBe(41);
    expect((await store.events.latestSession(workspace.id, 'v-0'))?.channel).toBe('Paid Search');
    await ingest.close();
    await store.close();
  });

  it('hands a store failure back as a ClosedloopError, and keeps working afterwards', async () => {
    const store = await openSqliteStore(db);
    const workspace = await store.state.findWorkspace('worker');
    await store.close();
    if (workspace === undefined) throw new Error('the first test makes the workspace');
    const ingest = new WorkerIngestor(db);
    // Validation never lets such an event through; here it skips validation to reach the store.
    const broken = { ...pageView(200), timestamp: Number.NaN };
    await expect(ingest.submit(workspace, [broken])).rejects.toMatchObject({
      name: 'ClosedloopError',
      code: 'CL_ERR_STORE',
    });
    expect(await ingest.submit(workspace, [pageView(201)])).toEqual({ accepted: 1, duplicates: 0 });
    await ingest.close();
  });

  it('parses, checks and answers small deliveries in the writer, large ones here, alike', async () => {
    const store = await openSqliteStore(db);
    const { workspace, writeKey } = await store.state.createWorkspace('deliveries');
    const ingest = new WorkerIngestor(db);
    const deliver = ingest.deliveries(store.state);
    const page = (messageId: string) => ({
      messageId,
      anonymousId: 'v-deliveries',
      context: { page: { url: 'https://acme.com/?utm_source=google&utm_medium=cpc' } },
    });
    const delivery = (body: unknown, route: Delivery['route'] = 'page') => ({
      route,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      basicAuthUser: writeKey,
      receivedAt: Date.UTC(2026, 0, 2),
    });
    const small = await deliver(delivery(page('d-1')));
    expect(small).toEqual({
      status: 200,
      body: JSON.stringify({ success: true, accepted: 1, duplicates: 0, rejected: [] }),
    });
    // A batch past the hand-over size is parsed in this thread and committed by the writer.
    const padding = 'x'.repeat(1_000);
    const events = Array.from({ length: 12 }, (_, n) => ({
      ...page(`d-${n + 2}`),
      type: 'page',
      properties: { padding },
    }));
    const large = delivery({ batch: [...events, { type: 'launch' }] }, 'batch');
    expect(large.body.length).toBeGreaterThan(8 * 1024);
    const answer = await deliver(large);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      accepted: 12,
      rejected: [{ index: 12, error: expect.stringMatching(/^type: /) }],
    });
    expect(await store.events.countEvents(workspace.id)).toBe(13);

    const bad = await deliver(delivery({ anonymousId: 'a', event: 42 }, 'track'));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.message).toMatch(/^event: /);
    await expect(
      deliver({ ...delivery(page('d-x')), basicAuthUser: 'wk_unknown' }),
    ).rejects.toMatchObject({
      code: 'CL_ERR_AUTH',
    });
    const refusals: [string, string][] = [
      ['{"anonymousId":', 'body: expected JSON'],
      [
        '{"anonymousId":"a","__proto__":{"admin":true}}',
        'body: keys named __proto__ or constructor.prototype are refused',
      ],
      [
        '{"anonymousId":"a","constructor":{"prototype":{"admin":true}}}',
        'body: keys named __proto__ or constructor.prototype are refused',
      ],
    ];
    for (const [text, message] of refusals) {
      await expect(deliver(delivery(text))).rejects.toMatchObject({
        code: 'CL_ERR_EVENT_INVALID',
        message,
      });
    }
    await ingest.close();
    await store.close();
  });
});
