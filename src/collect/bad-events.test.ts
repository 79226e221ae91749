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

describe('what the input review found', () => {
  const stored = (messageId: string) =>
    store.db
      .prepare('SELECT timestamp, received_at, event FROM events WHERE message_id = ?')
      .get(messageId) as { timestamp: number; received_at: number; event: string | null };

  it('refuses a batch context nested past 32 levels with 400 naming it, however deep', async () => {
    const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const answer = await collector.post(
      '/v1/batch',
      `{"batch":[${JSON.stringify(track('deep-context'))}],"context":{"x":${nested(20_000)}}}`,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error).toEqual({
      code: 'CL_ERR_EVENT_INVALID',
      message: 'context: nested deeper than 32 levels',
    });
  });

  it('reads a numeric time below 1e11 as epoch seconds, as every other time input does', async () => {
    const seconds = Math.floor(Date.UTC(2026, 4, 1, 9) / 1000);
    const answer = await collector.post('/v1/track', {
      ...track('epoch-seconds'),
      messageId: 'epoch-seconds',
      timestamp: seconds,
    });
    expect(answer.status).toBe(200);
    expect(stored('epoch-seconds').timestamp).toBe(Date.UTC(2026, 4, 1, 9));
  });

  it('dates no event after the server received it: a sentAt before the timestamp, or a clock ahead', async () => {
    const sentBefore = await collector.post('/v1/batch', {
      sentAt: '2026-05-01T00:00:00Z',
      batch: [{ ...track('skew'), messageId: 'sent-before', timestamp: '2026-05-02T00:00:00Z' }],
    });
    const ahead = await collector.post('/v1/track', {
      ...track('skew'),
      messageId: 'clock-ahead',
      timestamp: '2999-01-01T00:00:00Z',
    });
    expect([sentBefore.status, ahead.status]).toEqual([200, 200]);
    for (const id of ['sent-before', 'clock-ahead']) {
      const row = stored(id);
      expect(row.timestamp, id).toBe(row.received_at);
    }
  });

  it('stores text with a lone surrogate as well-formed Unicode, so a restart finds the same campaign', async () => {
    const answer = await collector.post('/v1/page', {
      anonymousId: 'surrogates',
      messageId: 'surrogate-page',
      context: {
        page: { url: 'https://www.acme.com/\ud800' },
        campaign: { source: 'news\ud83d', medium: 'email', name: 'may' },
      },
    });
    const named = await collector.post('/v1/track', {
      ...track('surrogates'),
      messageId: 'surrogate-track',
      event: 'Clicked \udc00',
    });
    expect([answer.status, named.status]).toEqual([200, 200]);
    expect(stored('surrogate-track').event).toBe('Clicked \ufffd');
    const session = await store.events.latestSession(workspace.id, 'surrogates');
    expect(session).toMatchObject({
      source: 'news\ufffd',
      landingPage: 'https://www.acme.com/\ufffd',
    });
  });

  it('takes a blank message id as none: such events are known by their content, not all by "  "', async () => {
    const before = await store.events.countEvents(workspace.id);
    const first = await collector.post('/v1/track', { ...track('blank-id-1'), messageId: '  ' });
    const other = await collector.post('/v1/track', { ...track('blank-id-2'), messageId: '  ' });
    expect([first.body.accepted, other.body.accepted]).toEqual([1, 1]);
    expect(await store.events.countEvents(workspace.id)).toBe(before + 2);
  });

  it('refuses a batch whose own sentAt is no time, naming it', async () => {
    const answer = await collector.post('/v1/batch', {
      sentAt: 'garbage',
      batch: [track('bad-sent-at')],
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toBe(
      'sentAt: expected an ISO 8601 date-time or epoch seconds or milliseconds, got "garbage"',
    );
  });

  it('names the content type it takes, and a write key that is no text', async () => {
    const form = await collector.post('/api/collect', 'writeKey=x', {
      auth: null,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    expect(form.body.error).toEqual({
      code: 'CL_ERR_EVENT_INVALID',
      message:
        'content-type: expected application/json or text/plain, got "application/x-www-form-urlencoded"',
    });
    const numeric = await collector.post(
      '/api/collect',
      { ...track('numeric-key'), writeKey: 5 },
      { auth: null },
    );
    expect(numeric.status).toBe(401);
    expect(numeric.body.error.message).toBe('writeKey: expected text, got 5');
  });
});
