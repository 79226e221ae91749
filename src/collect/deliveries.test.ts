import { describe, expect, it } from 'vitest';
import type { Workspace } from '../store/ports.js';
import { openSqliteStore } from '../store/sqlite/open.js';
import { type Delivery, deliveryHandler } from './deliveries.js';
import type { IngestSink } from './ingest.js';
import type { NormalizedEvent } from './normalize.js';

/** A sink that keeps what it is given, in order, and acknowledges it as stored. */
function keepingSink(): IngestSink & { readonly submitted: string[][] } {
  const submitted: string[][] = [];
  return {
    submitted,
    async submit(_workspace: Workspace, events: readonly NormalizedEvent[]) {
      submitted.push(events.map((event) => event.messageId));
      return { accepted: events.length, duplicates: 0 };
    },
    async flush() {},
    async close() {},
  };
}

const store = await openSqliteStore(':memory:');
const { writeKey } = await store.state.createWorkspace('acme');

const tracked = (messageId: string): Delivery => ({
  route: 'collect',
  body: JSON.stringify({ writeKey, type: 'track', event: 'Clicked', anonymousId: 'v', messageId }),
  receivedAt: Date.parse('2027-03-01T10:00:00Z'),
  requestIp: '198.51.100.7',
});

describe('deliveries of one turn of the event loop, prepared together', () => {
  it('answers each on its own: a body that is no JSON fails only itself', async () => {
    const sink = keepingSink();
    const deliver = deliveryHandler(store.state, sink);
    const broken: Delivery = { ...tracked('x'), body: '{"writeKey":' };
    const notObject: Delivery = { ...tracked('x'), body: '[1, 2]' };
    const answers = await Promise.allSettled([
      deliver(tracked('m-1')),
      deliver(broken),
      deliver(tracked('m-2')),
      deliver(notObject),
      deliver(tracked('m-3')),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(answers[1]).toMatchObject({
      reason: { code: 'CL_ERR_EVENT_INVALID', message: 'body: expected JSON' },
    });
    expect(answers[3]).toMatchObject({
      reason: { code: 'CL_ERR_EVENT_INVALID', message: 'body: expected a JSON object' },
    });
    for (const index of [0, 2, 4]) {
      const answer = answers[index] as PromiseFulfilledResult<{ status: number; body: string }>;
      expect(answer.value.status).toBe(200);
      expect(JSON.parse(answer.value.body)).toEqual({
        success: true,
        accepted: 1,
        duplicates: 0,
        rejected: [],
      });
    }
    // In the order they arrived, each delivery its own submission.
    expect(sink.submitted).toEqual([['m-1'], ['m-2'], ['m-3']]);
  });
});
