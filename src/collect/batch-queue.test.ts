import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../server/app.js';
import { openSqliteStore } from '../store/sqlite/open.js';
import { basicAuth } from '../test-support/collector.js';
import { type Delivery, type PreparedDelivery, prepareDelivery } from './deliveries.js';

const overBytes = 400;
const maxPendingBytes = 3_000;

/** A batch of `count` page views, about 230 bytes of JSON each. */
const batchBody = (prefix: string, count: number) =>
  JSON.stringify({
    batch: Array.from({ length: count }, (_, n) => ({
      type: 'page',
      messageId: `${prefix}-${n}`,
      anonymousId: `v-${prefix}`,
      properties: { padding: 'x'.repeat(150) },
    })),
  });

/**
 * A collector whose large bodies wait, once prepared, until the test lets them go: as batches
 * queued for a busy helper thread do.
 */
async function collectorWithHeldBatches() {
  const store = await openSqliteStore(':memory:');
  const { workspace, writeKey } = await store.state.createWorkspace('acme');
  const held: { delivery: Delivery; release: () => void }[] = [];
  let heldOne: () => void = () => {};
  const app = await buildApp({
    events: store.events,
    state: store.state,
    prepareLarge: {
      overBytes,
      maxPendingBytes,
      prepare: (delivery) =>
        new Promise<PreparedDelivery>((resolve, reject) => {
          const release = () => {
            try {
              resolve(prepareDelivery(delivery));
            } catch (error) {
              reject(error);
            }
          };
          held.push({ delivery, release });
          heldOne();
        }),
    },
  });
  const nextHeld = () =>
    new Promise<void>((resolve) => {
      heldOne = resolve;
    });
  const post = async (body: string) => {
    const response = await app.fastify.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { 'content-type': 'application/json', authorization: basicAuth(writeKey) },
      payload: body,
    });
    return { status: response.statusCode, headers: response.headers, body: response.json() };
  };
  const close = async () => {
    await app.close();
    await store.close();
  };
  return { store, workspace, held, nextHeld, post, close };
}

describe('the queue of batches waiting to be stored', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('turns a batch away with 503 and Retry-After while the queue is full, and takes it again once there is room', async () => {
    const collector = await collectorWithHeldBatches();
    close = collector.close;
    const first = batchBody('first', 8);
    expect(first.length).toBeGreaterThan(maxPendingBytes / 2);
    const firstHeld = collector.nextHeld();
    const firstAnswer = collector.post(first);
    await firstHeld;

    const refused = await collector.post(batchBody('second', 8));
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body).toEqual({
      error: {
        code: 'CL_ERR_BUSY',
        message: `the collector has ${first.length} bytes of batches waiting (limit ${maxPendingBytes}); nothing was stored, retry after 1 s`,
      },
    });

    // Single events (the tracker's) do not queue there and are always taken.
    expect(batchBody('small', 1).length).toBeLessThanOrEqual(overBytes);
    const small = await collector.post(batchBody('small', 1));
    expect(small.status).toBe(200);
    expect(small.body).toMatchObject({ accepted: 1 });

    (collector.held[0] as { release: () => void }).release();
    expect((await firstAnswer).body).toMatchObject({ accepted: 8 });

    // The queue is empty again: the refused batch, sent again, is stored.
    const retryHeld = collector.nextHeld();
    const retried = collector.post(batchBody('second', 8));
    await retryHeld;
    (collector.held[1] as { release: () => void }).release();
    expect((await retried).body).toMatchObject({ accepted: 8, duplicates: 0 });
    expect(await collector.store.events.countEvents(collector.workspace.id)).toBe(17);
  });

  it('takes one batch over the limit when nothing waits, and frees its room when it fails', async () => {
    const collector = await collectorWithHeldBatches();
    close = collector.close;
    const huge = batchBody('huge', 20);
    expect(huge.length).toBeGreaterThan(maxPendingBytes);
    const hugeHeld = collector.nextHeld();
    const hugeAnswer = collector.post(huge);
    await hugeHeld;
    expect((await collector.post(batchBody('other', 3))).status).toBe(503);
    (collector.held[0] as { release: () => void }).release();
    expect((await hugeAnswer).body).toMatchObject({ accepted: 20 });

    // A batch refused as a whole (not JSON) still gives its room back.
    const badHeld = collector.nextHeld();
    const bad = collector.post(`{"batch":[${'1,'.repeat(overBytes)}`);
    await badHeld;
    (collector.held[1] as { release: () => void }).release();
    expect((await bad).status).toBe(400);
    const nextHeld = collector.nextHeld();
    const next = collector.post(batchBody('next', 8));
    await nextHeld;
    (collector.held[2] as { release: () => void }).release();
    expect((await next).status).toBe(200);
  });
});
