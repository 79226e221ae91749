import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createChannelClassifier } from '../core/channels/classify.js';
import { openSqliteStore } from '../store/sqlite/open.js';
import { type Delivery, deliveryHandler, prepareDelivery } from './deliveries.js';
import { Ingestor } from './ingest.js';

// The helper thread runs compiled code: load the built module, as `closedloop serve` does.
const { PrepareThread, preparedElsewhereOverBytes } = (await import(
  join(import.meta.dirname, '../../dist/collect/prepare-thread.js')
)) as typeof import('./prepare-thread.js');

const page = (messageId: string) => ({
  type: 'page',
  messageId,
  anonymousId: 'v-1',
  context: { page: { url: 'https://acme.com/?utm_source=google&utm_medium=cpc' } },
  properties: { padding: 'x'.repeat(1_000) },
});
const delivery = (body: string): Delivery => ({
  route: 'batch',
  body,
  basicAuthUser: 'wk_test',
  receivedAt: Date.UTC(2026, 0, 2),
});

describe('the preparing thread', () => {
  it('prepares a delivery as this thread would, and refuses a bad body alike', async () => {
    const thread = new PrepareThread();
    await thread.start();
    const events = Array.from({ length: 12 }, (_, n) => page(`p-${n}`));
    const large = delivery(JSON.stringify({ batch: [...events, { type: 'launch' }] }));
    expect(large.body.length).toBeGreaterThan(preparedElsewhereOverBytes);
    expect(await thread.prepare(large)).toEqual(prepareDelivery(large));

    const refusals: [string, string][] = [
      ['{"batch":[', 'body: expected JSON'],
      [
        '{"batch":[],"__proto__":{"admin":true}}',
        'body: keys named __proto__ or constructor.prototype are refused',
      ],
    ];
    for (const [text, message] of refusals) {
      await expect(thread.prepare(delivery(text))).rejects.toMatchObject({
        name: 'ClosedloopError',
        code: 'CL_ERR_EVENT_INVALID',
        message,
      });
    }
    await thread.close();
  });

  it('serves the collector: a large batch is prepared there and stored here', async () => {
    const store = await openSqliteStore(':memory:');
    const { workspace, writeKey } = await store.state.createWorkspace('acme');
    const ingestor = new Ingestor({
      events: store.events,
      state: store.state,
      classifierFor: () => createChannelClassifier(),
    });
    const thread = new PrepareThread();
    let preparedThere = 0;
    const deliver = deliveryHandler(store.state, ingestor, {
      overBytes: preparedElsewhereOverBytes,
      prepare: (d) => {
        preparedThere++;
        return thread.prepare(d);
      },
    });
    const events = Array.from({ length: 12 }, (_, n) => page(`s-${n}`));
    const answer = await deliver({
      ...delivery(JSON.stringify({ batch: events })),
      basicAuthUser: writeKey,
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ accepted: 12, duplicates: 0 });
    const small = await deliver({
      ...delivery(JSON.stringify({ batch: [page('s-small')] }).replace(/x{1000}/, 'x')),
      basicAuthUser: writeKey,
    });
    expect(JSON.parse(small.body)).toMatchObject({ accepted: 1 });
    expect(preparedThere).toBe(1);
    expect(await store.events.countEvents(workspace.id)).toBe(13);
    await thread.close();
    await ingestor.close();
    await store.close();
  });

  it('fails what a stopped thread held, and starts a new one for the next delivery', async () => {
    const thread = new PrepareThread();
    await thread.start();
    // Megabytes to parse: the thread is still at it when it is stopped.
    const slow = Array.from({ length: 5_000 }, (_, n) => page(`h-${n}`));
    const held = thread.prepare(delivery(JSON.stringify({ batch: slow })));
    await thread.close();
    await expect(held).rejects.toMatchObject({
      code: 'CL_ERR_INTERNAL',
      message: expect.stringMatching(/^the preparing thread stopped/),
    });
    const next = await thread.prepare(delivery(JSON.stringify({ batch: [page('next')] })));
    expect(next.events.map((event) => event.messageId)).toEqual(['next']);
    await thread.close();
  });
});
