import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { basicAuth, startCollector } from '../test-support/collector.js';

const collector = await startCollector({ bodyLimit: 64 * 1024 });
const routes = [
  '/api/collect',
  '/v1/batch',
  '/v1/page',
  '/v1/screen',
  '/v1/track',
  '/v1/identify',
  '/v1/alias',
  '/v1/import/',
  // analytics.js: one path per call type, and its batches.
  ...['t', 'p', 's', 'i', 'a', 'g', 'b'].map((path) => `/v1/${path}`),
];

const fieldValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.json(),
  fc.array(fc.string()),
  fc.object(),
);
const eventLike = fc.record(
  {
    type: fc.oneof(
      fc.constantFrom('page', 'track', 'identify', 'alias', 'screen', 'group'),
      fieldValue,
    ),
    messageId: fc.oneof(fc.string(), fieldValue),
    anonymousId: fc.oneof(fc.string(), fieldValue),
    userId: fc.oneof(fc.string(), fieldValue),
    previousId: fieldValue,
    event: fieldValue,
    timestamp: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.integer(),
      fieldValue,
    ),
    sentAt: fieldValue,
    traits: fc.oneof(fc.record({ email: fc.oneof(fc.emailAddress(), fieldValue) }), fieldValue),
    properties: fc.oneof(fc.object(), fieldValue),
    context: fc.oneof(
      fc.record(
        {
          ip: fc.oneof(fc.ipV4(), fc.ipV6(), fieldValue),
          userAgent: fieldValue,
          page: fc.oneof(
            fc.record(
              {
                url: fc.oneof(fc.webUrl({ withQueryParameters: true }), fieldValue),
                referrer: fc.oneof(fc.webUrl(), fieldValue),
              },
              { requiredKeys: [] },
            ),
            fieldValue,
          ),
          campaign: fc.oneof(
            fc.record(
              { source: fieldValue, medium: fieldValue, name: fieldValue },
              { requiredKeys: [] },
            ),
            fieldValue,
          ),
        },
        { requiredKeys: [] },
      ),
      fieldValue,
    ),
  },
  { requiredKeys: [] },
);

const payload = fc.oneof(
  fc.string(),
  fc.json(),
  fc.anything().map((value) => JSON.stringify(value) ?? 'undefined'),
  eventLike.map((event) => JSON.stringify({ writeKey: collector.writeKey, ...event })),
  fc
    .array(eventLike, { maxLength: 20 })
    .map((batch) =>
      JSON.stringify({ writeKey: collector.writeKey, batch, sentAt: new Date().toISOString() }),
    ),
);

describe('every ingest route, fuzzed', () => {
  it('never answers 5xx nor crashes, and still takes good events afterwards', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        payload,
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
        async (route, body, contentType) => {
          const response = await collector.post(route, body, { contentType });
          expect(response.status, `${route} ${body.slice(0, 200)}`).toBeLessThan(500);
          expect(typeof response.body).toBe('object');
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 3_000) },
    );
    // Compressed bodies, good, truncated or not compressed at all.
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('gzip', 'deflate', 'br', 'x-unknown'),
        payload,
        fc.nat({ max: 64 }),
        async (encoding, body, cut) => {
          const packed =
            encoding === 'gzip'
              ? gzipSync(body)
              : encoding === 'deflate'
                ? deflateSync(body)
                : encoding === 'br'
                  ? brotliCompressSync(body)
                  : Buffer.from(body);
          const response = await collector.app.fastify.inject({
            method: 'POST',
            url: '/v1/batch',
            payload: cut > 48 ? packed.subarray(0, cut) : packed,
            headers: {
              authorization: basicAuth(collector.writeKey),
              'content-type': 'application/json',
              'content-encoding': encoding,
            },
          });
          expect(response.statusCode, `${encoding} ${body.slice(0, 200)}`).toBeLessThan(500);
          expect(typeof JSON.parse(response.body)).toBe('object');
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 3_000) / 3 },
    );
    const ok = await collector.post('/v1/track', {
      anonymousId: 'after-fuzz',
      event: 'still here',
      messageId: 'after-fuzz-1',
    });
    expect(ok.status).toBe(200);
    expect(ok.body.accepted).toBe(1);
  });
});
