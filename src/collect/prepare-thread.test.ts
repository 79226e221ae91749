import { join } from 'node:path';
import fc from 'fast-check';
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
    // A failure that is no refusal reaches the client without what failed inside.
    await expect(thread.prepare(null as unknown as Delivery)).rejects.toMatchObject({
      code: 'CL_ERR_INTERNAL',
      message: 'preparing the body failed; the request can be retried',
    });
    await thread.close();
  });

  it('prepares any body, good or bad, exactly as this thread does', async () => {
    const thread = new PrepareThread();
    const outcome = async (prepare: () => Promise<unknown>) => {
      try {
        return { prepared: await prepare() };
      } catch (error) {
        const { code, message } = error as { code?: string; message?: string };
        return { code, message };
      }
    };
    const routes: Delivery['route'][] = ['collect', 'batch', 'page', 'track', 'identify', 'alias'];
    const event = fc.record(
      {
        type: fc.oneof(fc.constantFrom('page', 'track', 'identify', 'alias'), fc.json()),
        messageId: fc.oneof(fc.string(), fc.integer()),
        anonymousId: fc.string(),
        userId: fc.oneof(fc.string(), fc.constant(null)),
        event: fc.oneof(fc.string(), fc.integer()),
        timestamp: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.json(),
        ),
        traits: fc.oneof(fc.record({ email: fc.emailAddress() }), fc.json()),
        context: fc.oneof(
          fc.record(
            {
              ip: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()),
              page: fc.record({ url: fc.webUrl({ withQueryParameters: true }) }),
            },
            { requiredKeys: [] },
          ),
          fc.json(),
        ),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.string(),
      fc.json(),
      event.map((e) => JSON.stringify({ writeKey: 'wk_test', ...e })),
      fc.array(event, { maxLength: 10 }).map((batch) => JSON.stringify({ batch, sentAt: 5 })),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), body, async (route, text) => {
        const request = { ...delivery(text), route };
        const here = await outcome(async () => prepareDelivery(request));
        const there = await outcome(() => thread.prepare(request));
        expect(there).toEqual(here);
      }),
      { numRuns: 500 },
    );
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
