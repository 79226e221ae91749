import { describe, expect, it } from 'vitest';
import { startCollector } from '../test-support/collector.js';

const collector = await startCollector();
const { store, workspace } = collector;

let counter = 0;
const track = (anonymousId: string) => ({
  type: 'track',
  event: 'Clicked',
  anonymousId,
  messageId: `t-${++counter}`,
});

describe('a bad event costs only itself', () => {
  it('refuses an alias with a blank id, and stores a request sent beside it', async () => {
    const before = await store.events.countEvents(workspace.id);
    const [good, blank, blankUser] = await Promise.all([
      collector.post('/v1/track', track('innocent')),
      collector.post('/v1/alias', { previousId: ' ', userId: 'u-1', anonymousId: 'x' }),
      collector.post('/v1/alias', { previousId: 'x', userId: '\t', anonymousId: 'x' }),
    ]);
    expect(good).toMatchObject({ status: 200, body: { accepted: 1 } });
    expect(blank.status).toBe(400);
    expect(blank.body.error).toEqual({
      code: 'CL_ERR_EVENT_INVALID',
      message: 'previousId: expected an id, got a blank one',
    });
    expect(blankUser.body.error.message).toBe('userId: expected an id, got a blank one');
    expect(await store.events.countEvents(workspace.id)).toBe(before + 1);
  });

  it('refuses event types named after what every object inherits, by index in a batch', async () => {
    const batch = await collector.post('/v1/batch', {
      batch: [track('a'), { type: 'constructor', anonymousId: 'a' }, { type: 'toString' }],
    });
    expect(batch.status).toBe(200);
    expect(batch.body).toMatchObject({
      accepted: 1,
      rejected: [
        {
          index: 1,
          error: 'type: expected page, screen, track, identify or alias, got "constructor"',
        },
        {
          index: 2,
          error: 'type: expected page, screen, track, identify or alias, got "toString"',
        },
      ],
    });
    const single = await collector.post('/api/collect', {
      writeKey: collector.writeKey,
      type: '__proto__',
      anonymousId: 'a',
    });
    expect(single.status).toBe(400);
  });

  it('refuses JSON nested deeper than 32 levels, naming the field, and stores the rest', async () => {
    const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const deep = `{"type":"track","event":"e","anonymousId":"a","properties":{"x":${nested(20_000)}}}`;
    const deepest = `{"type":"track","event":"e","anonymousId":"a","properties":{"x":${nested(31)}}}`;
    const answer = await collector.post(
      '/v1/batch',
      `{"batch":[${deep},${JSON.stringify(track('b'))},${deepest}]}`,
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      accepted: 2,
      rejected: [{ index: 0, error: 'properties: nested deeper than 32 levels' }],
    });
  });

  it('stores an event sent without a message id once, though each attempt has its own sentAt', async () => {
    const before = await store.events.countEvents(workspace.id);
    const event = { type: 'track', event: 'Signed Up', anonymousId: 'no-id' };
    const first = await collector.post('/v1/track', { ...event, sentAt: '2026-05-01T09:00:00Z' });
    const retry = await collector.post('/v1/track', { ...event, sentAt: '2026-05-01T09:00:05Z' });
    expect(first.body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(retry.body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await store.events.countEvents(workspace.id)).toBe(before + 1);
  });
});
