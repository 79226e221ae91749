import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { basicAuth, startCollector } from '../test-support/collector.js';
import { deliveryHandler, prepareDelivery } from './deliveries.js';

// What Segment's and RudderStack's own libraries send, as they send it.
const collector = await startCollector();
const { store, workspace, writeKey } = collector;

const stored = (messageId: string) =>
  store.db
    .prepare<
      [string],
      { type: string; user_id: string | null; bot: number; properties: string; context: string }
    >('SELECT type, user_id, bot, properties, context FROM events WHERE message_id = ?')
    .get(messageId);

const page = (messageId: string, extra: Record<string, unknown> = {}) => ({
  type: 'page',
  messageId,
  anonymousId: `anon-${messageId}`,
  timestamp: '2026-03-01T10:00:00.000Z',
  context: { page: { url: 'https://www.acme.com/pricing' } },
  ...extra,
});

/** A request with a raw body, as a library puts it on the wire. */
const send = (url: string, payload: string | Buffer, headers: Record<string, string> = {}) =>
  collector.app.fastify.inject({ method: 'POST', url, payload, headers }).then((response) => ({
    status: response.statusCode,
    body: JSON.parse(response.body),
    headers: response.headers,
  }));

describe('compressed bodies from server libraries', () => {
  it('takes gzip and deflate bodies, whatever content type they are labelled with', async () => {
    const batch = (id: string) => JSON.stringify({ batch: [page(id)] });
    const gzipped = await send('/v1/batch', gzipSync(batch('gz-1')), {
      authorization: basicAuth(writeKey),
      'content-encoding': 'gzip',
      // RudderStack's Node library sends its gzip Buffer labelled as a form.
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect([gzipped.status, gzipped.body.accepted]).toEqual([200, 1]);
    const deflated = await send('/v1/batch', deflateSync(batch('df-1')), {
      authorization: basicAuth(writeKey),
      'content-encoding': 'deflate',
      'content-type': 'application/json',
    });
    expect([deflated.status, deflated.body.accepted]).toEqual([200, 1]);
    expect(stored('gz-1')?.type).toBe('page');
    expect(stored('df-1')?.type).toBe('page');
  });

  it('refuses a body that is not what Content-Encoding says, or an encoding it cannot read, naming it', async () => {
    const headers = { authorization: basicAuth(writeKey), 'content-type': 'application/json' };
    const notGzip = await send('/v1/batch', JSON.stringify({ batch: [page('gz-bad')] }), {
      ...headers,
      'content-encoding': 'gzip',
    });
    expect([notGzip.status, notGzip.body.error]).toEqual([
      400,
      {
        code: 'CL_ERR_EVENT_INVALID',
        message: 'body: expected gzip data, as Content-Encoding says',
      },
    ]);
    const unknown = await send('/v1/batch', 'x', { ...headers, 'content-encoding': 'compress' });
    expect([unknown.status, unknown.body.error]).toEqual([
      400,
      {
        code: 'CL_ERR_EVENT_INVALID',
        message: 'content-encoding: expected gzip, deflate or br, got "compress"',
      },
    ]);
    expect(stored('gz-bad')).toBeUndefined();
  });

  it('reads Content-Encoding in any case, and identity as none', async () => {
    const headers = { authorization: basicAuth(writeKey), 'content-type': 'application/json' };
    const upper = await send('/v1/batch', gzipSync(JSON.stringify({ batch: [page('enc-1')] })), {
      ...headers,
      'content-encoding': 'GZIP',
    });
    const identity = await send('/v1/batch', JSON.stringify({ batch: [page('enc-2')] }), {
      ...headers,
      'content-encoding': 'identity',
    });
    expect([upper.status, identity.status]).toEqual([200, 200]);
    expect([stored('enc-1')?.type, stored('enc-2')?.type]).toEqual(['page', 'page']);
  });

  it('answers a stranger 401 before reading the body, whatever it holds or weighs', async () => {
    const limited = await startCollector({ bodyLimit: 5_000 });
    const stranger = {
      authorization: basicAuth('wk_stranger'),
      'content-type': 'application/json',
    };
    for (const [payload, encoding] of [
      ['not gzip at all', 'gzip'],
      [gzipSync('x'.repeat(50_000)), 'gzip'],
      ['y'.repeat(20_000), 'identity'],
    ] as const) {
      const response = await limited.app.fastify.inject({
        method: 'POST',
        url: '/v1/batch',
        payload,
        headers: { ...stranger, 'content-encoding': encoding },
      });
      expect([response.statusCode, JSON.parse(response.body).error.code]).toEqual([
        401,
        'CL_ERR_AUTH',
      ]);
    }
  });

  it('applies the body limit to the decompressed bytes', async () => {
    const limited = await startCollector({ bodyLimit: 5_000 });
    const big = JSON.stringify({
      batch: [page('bomb', { properties: { pad: 'x'.repeat(20_000) } })],
    });
    const response = await limited.app.fastify.inject({
      method: 'POST',
      url: '/v1/batch',
      payload: gzipSync(big),
      headers: {
        authorization: basicAuth(limited.writeKey),
        'content-encoding': 'gzip',
        'content-type': 'application/json',
      },
    });
    expect(gzipSync(big).length).toBeLessThan(5_000);
    expect(response.statusCode).toBe(413);
    expect(JSON.parse(response.body).error.code).toBe('CL_ERR_PAYLOAD_TOO_LARGE');
  });
});

describe('what libraries put in their events', () => {
  it('takes the nulls Python and Ruby libraries send for unset fields', async () => {
    const response = await collector.post('/v1/page', {
      ...page('py-1'),
      name: null,
      category: null,
      userId: null,
      properties: null,
      originalTimestamp: null,
      context: {
        page: { url: 'https://www.acme.com/?utm_source=news', referrer: null, title: null },
        campaign: { name: null },
        ip: null,
        userAgent: null,
      },
    });
    expect([response.status, response.body.rejected]).toEqual([200, []]);
    expect(response.body.accepted).toBe(1);
    const session = await store.events.latestSession(workspace.id, 'anon-py-1');
    expect(session?.source).toBe('news');
  });

  it('knows one person by an email however its accents were typed or what was pasted with it', async () => {
    const identify = (messageId: string, anonymousId: string, email: string) =>
      collector.post('/v1/identify', {
        messageId,
        anonymousId,
        timestamp: '2026-03-01T10:00:00.000Z',
        traits: { email },
      });
    await identify('nfc-1', 'laptop', 'Jos\u00e9@acme.example');
    await identify('nfd-1', 'phone', 'jose\u0301@ACME.example\u200b');
    const person = await store.state.personByEmail(workspace.id, 'jos\u00e9@acme.example');
    expect(person?.emails).toEqual(['jos\u00e9@acme.example']);
    expect((await store.state.visitorsOfPerson(workspace.id, person?.id ?? '')).sort()).toEqual([
      'laptop',
      'phone',
    ]);
  });

  it('takes a page whose URL is as long as a Segment event may be, with its click id', async () => {
    const url = `https://www.acme.com/?q=${'a'.repeat(20_000)}&gclid=long-1`;
    const response = await collector.post(
      '/v1/page',
      page('long-1', { context: { page: { url } } }),
    );
    expect([response.status, response.body.accepted]).toEqual([200, 1]);
    const session = await store.events.latestSession(workspace.id, 'anon-long-1');
    expect([session?.channel, session?.clickIds]).toEqual(['Paid Search', { gclid: 'long-1' }]);
  });

  it('reads whole-number ids as text, and refuses other numbers naming the field', async () => {
    const track = { event: 'Signed Up', timestamp: '2026-03-01T10:00:00.000Z' };
    const response = await collector.post('/v1/track', {
      ...track,
      messageId: 'num-1',
      userId: 12345,
    });
    expect([response.status, response.body.accepted]).toEqual([200, 1]);
    expect(stored('num-1')?.user_id).toBe('12345');
    const fractional = await collector.post('/v1/track', {
      ...track,
      messageId: 'num-2',
      userId: 1.5,
    });
    expect([fractional.status, fractional.body.error.message]).toEqual([
      400,
      'userId: must be string, or must be null',
    ]);
  });

  it("gives every event of a batch the batch's context, the event's own fields winning", async () => {
    const response = await collector.post('/v1/batch', {
      context: {
        ip: '198.51.100.23',
        userAgent: 'Googlebot/2.1 (+http://www.google.com/bot.html)',
        library: { name: 'analytics-java', version: '3.5.1' },
      },
      batch: [
        page('shared-1'),
        page('shared-2', {
          context: { ip: '203.0.113.9', userAgent: 'Mozilla/5.0 (Macintosh) Safari/605.1.15' },
        }),
      ],
    });
    expect(response.body).toMatchObject({ accepted: 2, rejected: [] });
    const first = stored('shared-1');
    expect([first?.bot, JSON.parse(first?.context ?? '{}')]).toEqual([
      1,
      {
        ip: '198.51.100.0',
        userAgent: 'Googlebot/2.1 (+http://www.google.com/bot.html)',
        library: { name: 'analytics-java', version: '3.5.1' },
        page: { url: 'https://www.acme.com/pricing' },
      },
    ]);
    const second = stored('shared-2');
    expect([second?.bot, JSON.parse(second?.context ?? '{}').ip]).toEqual([0, '203.0.113.0']);
    const bad = await collector.post('/v1/batch', { context: 'x', batch: [page('shared-3')] });
    expect([bad.status, bad.body.error.message]).toEqual([
      400,
      'context: expected an object, the context of every event of the batch',
    ]);
    // A small body whose context, copied into each of its events, would store far more.
    const tiny = Array.from({ length: 200 }, (_, i) => ({ type: 'page', anonymousId: `t${i}` }));
    const before = await store.events.countEvents(workspace.id);
    const amplified = await collector.post('/v1/batch', {
      context: { library: { name: 'x'.repeat(5_000) } },
      batch: tiny,
    });
    expect([amplified.status, amplified.body.error.message]).toEqual([
      400,
      "context: 5023 characters, copied into each of the batch's 200 events, would store over 4 times the body; send it with each event instead",
    ]);
    expect(await store.events.countEvents(workspace.id)).toBe(before);
  });

  it("keeps an identify's traits and a page's name and category as the event's properties", async () => {
    await collector.post('/v1/batch', {
      batch: [
        page('named-1', { name: 'Pricing', category: 'Docs', properties: { plan: 'pro' } }),
        {
          type: 'identify',
          messageId: 'traits-1',
          userId: 'u-traits',
          timestamp: '2026-03-01T10:00:00.000Z',
          traits: { email: 'ann@acme.example', company: 'Acme', plan: 'pro' },
        },
      ],
    });
    expect(JSON.parse(stored('named-1')?.properties ?? '')).toEqual({
      plan: 'pro',
      name: 'Pricing',
      category: 'Docs',
    });
    expect(JSON.parse(stored('traits-1')?.properties ?? '')).toEqual({
      email: 'ann@acme.example',
      company: 'Acme',
      plan: 'pro',
    });
  });
});

describe('paths the libraries post to', () => {
  it("takes analytics.js's calls and batches as text/plain with the key in the body, CORS open", async () => {
    const origin = 'https://www.acme.com';
    const headers = { 'content-type': 'text/plain', origin };
    const single = await send('/v1/p', JSON.stringify({ ...page('ajs-1'), writeKey }), headers);
    expect([single.status, single.body.accepted]).toEqual([200, 1]);
    expect(single.headers['access-control-allow-origin']).toBe(origin);
    const batched = await send(
      '/v1/b',
      JSON.stringify({
        writeKey,
        batch: [page('ajs-2'), page('ajs-3')],
        sentAt: '2026-03-01T10:00:01Z',
      }),
      headers,
    );
    expect([batched.status, batched.body.accepted]).toEqual([200, 2]);
    const preflight = await collector.app.fastify.inject({
      method: 'OPTIONS',
      url: '/v1/t',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(origin);
    const wrongKey = await send(
      '/v1/t',
      JSON.stringify({ ...page('ajs-4'), writeKey: 'wk_no' }),
      headers,
    );
    expect(wrongKey.status).toBe(401);
    expect(stored('ajs-4')).toBeUndefined();
  });

  it("takes the Java library's batches at /v1/import/, and keeps CORS closed there", async () => {
    for (const [path, id] of [
      ['/v1/import/', 'java-1'],
      ['/v1/import', 'java-2'],
    ] as const) {
      const response = await collector.post(
        path,
        { batch: [page(id)] },
        {
          headers: { origin: 'https://evil.example' },
        },
      );
      expect([path, response.status, response.body.accepted]).toEqual([path, 200, 1]);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    }
  });
});

describe('events sent without a message id', () => {
  const delivery = (receivedAt: number, event: Record<string, unknown>) =>
    prepareDelivery({
      route: 'track',
      body: JSON.stringify({ anonymousId: 'no-id', event: 'Demo Requested', ...event }),
      basicAuthUser: writeKey,
      receivedAt,
    }).events[0]?.messageId;
  const at = Date.parse('2026-03-01T10:00:00Z');

  it('are the same event when retried within minutes, a new one when sent again later', () => {
    const first = delivery(at, {});
    expect(first).toMatch(/^h-[0-9a-f]{32}$/);
    expect(delivery(at + 30_000, { sentAt: '2026-03-01T10:00:30Z' })).toBe(first);
    expect(delivery(at + 11 * 60_000, {})).not.toBe(first);
  });

  it('are known by their stated time alone when they state one, however late the retry', () => {
    const stamped = { timestamp: '2026-03-01T09:59:00Z' };
    expect(delivery(at + 3_600_000, stamped)).toBe(delivery(at, stamped));
  });

  it('are stored once when a retry crosses the edge of ten minutes, and again twenty minutes on', async () => {
    const deliver = deliveryHandler(store.state, collector.app.ingestor);
    const send = async (receivedAt: number) =>
      JSON.parse(
        (
          await deliver({
            route: 'track',
            body: JSON.stringify({ anonymousId: 'edge', event: 'Demo Requested' }),
            basicAuthUser: writeKey,
            receivedAt,
          })
        ).body,
      );
    const edge = Date.parse('2026-03-01T10:09:59.500Z');
    expect(await send(edge)).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await send(edge + 1_000)).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await send(edge + 20 * 60_000 + 1_000)).toMatchObject({ accepted: 1, duplicates: 0 });
  });
});
