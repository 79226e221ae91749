import { describe, expect, it } from 'vitest';
import { basicAuth, startCollector } from '../test-support/collector.js';

const collector = await startCollector({ bodyLimit: 20_000 });
const { store, workspace, writeKey } = collector;

const page = (messageId: string, extra: Record<string, unknown> = {}) => ({
  messageId,
  anonymousId: 'anon-routes',
  timestamp: '2026-03-01T10:00:00.000Z',
  context: {
    page: {
      url: 'https://www.acme.com/pricing?utm_source=google&utm_medium=cpc&utm_campaign=brand',
    },
  },
  ...extra,
});

describe('Segment-compatible routes', () => {
  it('store a page and classify its session', async () => {
    const response = await collector.post('/v1/page', page('r-1'));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      success: true,
      accepted: 1,
      duplicates: 0,
      rejected: [],
    });
    const session = await store.events.latestSession(workspace.id, 'anon-routes');
    expect(session).toMatchObject({
      channel: 'Paid Search',
      source: 'google',
      medium: 'cpc',
      campaign: 'brand',
      landingPage: expect.stringContaining('/pricing'),
    });
  });

  it('are idempotent: a message id seen before is acknowledged and not stored again', async () => {
    const before = await store.events.countEvents(workspace.id);
    const again = await collector.post('/v1/page', page('r-1'));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1 });
    const inBatch = await collector.post('/v1/batch', {
      batch: [page('r-2', { type: 'page' }), page('r-2', { type: 'page' })],
    });
    expect(inBatch.body).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(await store.events.countEvents(workspace.id)).toBe(before + 1);
  });

  it('answer 401 with a JSON body for a missing or unknown write key', async () => {
    for (const auth of [null, 'wk_unknown']) {
      const response = await collector.post(
        '/v1/track',
        { anonymousId: 'a', event: 'x' },
        { auth },
      );
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('CL_ERR_AUTH');
      expect(response.headers['www-authenticate']).toBe('Basic realm="closedloop"');
    }
    // The key is checked before the body is read: what a stranger sends is not looked at.
    const stranger = await collector.post('/v1/batch', '{"batch": [', { auth: 'wk_unknown' });
    expect([stranger.status, stranger.body.error]).toEqual([
      401,
      { code: 'CL_ERR_AUTH', message: 'write key: unknown' },
    ]);
  });

  it('answer 400 naming the field for a bad event', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['/v1/track', { anonymousId: 'a' }, /^event: is required$/],
      ['/v1/track', { anonymousId: 'a', event: 42 }, /^event: /],
      ['/v1/page', { anonymousId: 'a', timestamp: 'soon' }, /^timestamp: expected an ISO 8601/],
      [
        '/v1/page',
        { timestamp: '2026-01-01T00:00:00Z' },
        /^anonymousId: expected anonymousId or userId/,
      ],
      ['/v1/alias', { anonymousId: 'a', userId: 'u' }, /^previousId: is required$/],
      ['/v1/page', { anonymousId: 'a', context: { page: { url: 5 } } }, /^context\.page\.url: /],
      [
        '/v1/identify',
        { type: 'track', anonymousId: 'a' },
        /^type: this route takes identify events/,
      ],
      ['/v1/batch', { batch: 'no' }, /^batch: expected an array/],
      ['/v1/page', '[1,2]', /^body: expected a JSON object$/],
      ['/v1/page', '{"anonymousId":', /^body: /],
    ];
    for (const [url, payload, message] of cases) {
      const response = await collector.post(url, payload);
      expect(response.status, `${url} ${JSON.stringify(payload)}`).toBe(400);
      expect(response.body.error.message).toMatch(message);
    }
  });

  it('store the good events of a batch and report the bad ones by index', async () => {
    const response = await collector.post('/v1/batch', {
      batch: [
        page('b-1', { type: 'page' }),
        { type: 'track', anonymousId: 'a' },
        page('b-2', { type: 'page' }),
        { type: 'launch' },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body.accepted).toBe(2);
    expect(response.body.rejected).toEqual([
      { index: 1, error: 'event: is required' },
      { index: 3, error: 'type: expected page, screen, track, identify or alias, got "launch"' },
    ]);
    expect(await store.events.existingMessageIds(workspace.id, ['b-1', 'b-2'])).toEqual(
      new Set(['b-1', 'b-2']),
    );
  });

  it('answer 413 with a JSON body past the size limit', async () => {
    const response = await collector.post('/v1/batch', {
      batch: [page('big', { type: 'page', properties: { blob: 'x'.repeat(30_000) } })],
    });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('CL_ERR_PAYLOAD_TOO_LARGE');
  });

  it('correct client clock skew with sentAt', async () => {
    // The client's clock is a day fast: the event happened 5 s before it was sent.
    const before = Date.now();
    await collector.post('/v1/batch', {
      sentAt: '2030-01-02T00:00:05.000Z',
      batch: [
        {
          type: 'track',
          event: 'skewed',
          anonymousId: 'skew',
          messageId: 'skew-1',
          timestamp: '2030-01-02T00:00:00.000Z',
        },
      ],
    });
    const row = store.db
      .prepare('SELECT timestamp FROM events WHERE message_id = ?')
      .get('skew-1') as { timestamp: number };
    expect(row.timestamp).toBeGreaterThanOrEqual(before - 5_000);
    expect(row.timestamp).toBeLessThanOrEqual(Date.now() - 5_000);
  });

  it('truncate IP addresses before storing them', async () => {
    await collector.post('/v1/batch', {
      batch: [
        {
          type: 'track',
          event: 'ip',
          anonymousId: 'ip',
          messageId: 'ip-4',
          context: { ip: '203.0.113.77' },
        },
        {
          type: 'track',
          event: 'ip',
          anonymousId: 'ip',
          messageId: 'ip-6',
          context: { ip: '2001:db8:abcd:12:1:2:3:4' },
        },
        {
          type: 'track',
          event: 'ip',
          anonymousId: 'ip',
          messageId: 'ip-x',
          context: { ip: 'host-203-0-113-77.example', locale: 'en-US' },
        },
      ],
    });
    const rows = store.db
      .prepare(
        "SELECT context FROM events WHERE message_id IN ('ip-4', 'ip-6', 'ip-x') ORDER BY message_id",
      )
      .all() as { context: string }[];
    expect(rows.map((row) => JSON.parse(row.context))).toEqual([
      { ip: '203.0.113.0' },
      { ip: '2001:db8:abcd::' },
      // Not an address: dropped, the rest of the context kept.
      { locale: 'en-US' },
    ]);
    const dump = JSON.stringify(store.db.prepare('SELECT * FROM events').all());
    expect(dump).not.toContain('203.0.113.77');
    expect(dump).not.toContain('203-0-113-77');
    expect(dump).not.toContain('1:2:3:4');
  });

  it('flag bots by the event user agent, not by the sending library', async () => {
    await collector.post('/v1/batch', {
      batch: [
        {
          type: 'page',
          anonymousId: 'bot-1',
          messageId: 'bot-p',
          context: {
            userAgent:
              'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36',
            page: { url: 'https://www.acme.com/' },
          },
        },
        {
          type: 'identify',
          anonymousId: 'bot-1',
          messageId: 'bot-i',
          traits: { email: 'Robot@Example.com ' },
          context: { userAgent: 'Googlebot/2.1 (+http://www.google.com/bot.html)' },
        },
        {
          type: 'page',
          anonymousId: 'human',
          messageId: 'human-p',
          context: { page: { url: 'https://www.acme.com/' } },
        },
      ],
    });
    expect((await store.events.latestSession(workspace.id, 'bot-1'))?.bot).toBe(true);
    expect((await store.events.latestSession(workspace.id, 'human'))?.bot).toBe(false);
    // A bot flag never stops identity stitching.
    const person = await store.state.personByEmail(workspace.id, 'robot@example.com');
    expect(await store.state.visitorsOfPerson(workspace.id, person?.id ?? '')).toEqual(['bot-1']);
  });
});

describe('the tracker route', () => {
  it('takes JSON sent as text/plain with the write key in the body, with CORS open', async () => {
    const payload = JSON.stringify({
      writeKey,
      batch: [page('t-1', { type: 'page', anonymousId: 'tracker' })],
    });
    const response = await collector.app.fastify.inject({
      method: 'POST',
      url: '/api/collect',
      headers: {
        'content-type': 'text/plain;charset=UTF-8',
        origin: 'https://www.acme.com',
        'user-agent': 'Mozilla/5.0 Firefox/128.0',
      },
      payload,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe('https://www.acme.com');
    expect(JSON.parse(response.body)).toMatchObject({ accepted: 1 });
    const single = await collector.post(
      '/api/collect',
      { writeKey, ...page('t-2', { type: 'page', anonymousId: 'tracker' }) },
      { auth: null, contentType: 'text/plain' },
    );
    expect(single.body).toMatchObject({ accepted: 1 });
  });

  it('answers CORS preflights for /api/collect, and for no other path', async () => {
    const preflight = (url: string) =>
      collector.app.fastify.inject({
        method: 'OPTIONS',
        url,
        headers: {
          origin: 'https://www.acme.com',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization',
        },
      });
    const collect = await preflight('/api/collect');
    expect(collect.statusCode).toBe(204);
    expect(collect.headers).toMatchObject({
      'access-control-allow-origin': 'https://www.acme.com',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type, authorization',
    });
    for (const url of [
      '/api/deals',
      '/v1/batch',
      '/t.js',
      '/anything',
      '/api/collect/x',
      '/api/collect/x/y',
    ]) {
      const other = await preflight(url);
      expect(other.statusCode, url).toBe(404);
      expect(other.headers['access-control-allow-origin'], url).toBeUndefined();
    }
  });

  it('keeps CORS closed on the Segment routes', async () => {
    const response = await collector.app.fastify.inject({
      method: 'POST',
      url: '/v1/page',
      headers: {
        'content-type': 'application/json',
        origin: 'https://evil.example',
        authorization: basicAuth(writeKey),
      },
      payload: JSON.stringify(page('t-3')),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers 401 without a write key and 400 for text/plain that is not JSON', async () => {
    expect(
      (await collector.post('/api/collect', page('t-4', { type: 'page' }), { auth: null })).status,
    ).toBe(401);
    const bad = await collector.post('/api/collect', 'not json', {
      auth: null,
      contentType: 'text/plain',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('body: expected JSON');
  });
});

describe('ids made of blanks', () => {
  it('count as missing', async () => {
    const response = await collector.post('/v1/page', { userId: ' ', anonymousId: '\t' });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/^anonymousId: expected anonymousId or userId/);
  });
});

describe('times the fuzzer found', () => {
  it('refuses epoch times no date can hold, and stores fractional ones as whole milliseconds', async () => {
    const huge = await collector.post('/v1/track', {
      anonymousId: 'a',
      event: 'x',
      timestamp: 1e300,
    });
    expect(huge.status).toBe(400);
    expect(huge.body.error.message).toMatch(
      /^timestamp: expected an ISO 8601 date-time or epoch seconds or milliseconds, got 1e\+300$/,
    );
    const fractional = await collector.post('/v1/track', {
      anonymousId: 'a',
      event: 'x',
      messageId: 'frac',
      timestamp: 0,
      sentAt: -0.000122,
    });
    expect(fractional.status).toBe(200);
    const row = store.db
      .prepare("SELECT timestamp FROM events WHERE message_id = 'frac'")
      .get() as { timestamp: number };
    expect(Number.isInteger(row.timestamp)).toBe(true);
  });
});
