import compress from '@fastify/compress';
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { ClosedloopError } from '../core/errors.js';
import { basicAuthCredentials } from './basic-auth.js';
import type { Delivery, DeliveryHandler, IngestRoute } from './deliveries.js';

export interface CollectRoutesOptions {
  readonly deliver: DeliveryHandler;
}

const segmentRoutes: readonly IngestRoute[] = ['page', 'screen', 'track', 'identify', 'alias'];

/**
 * Segment's browser library (analytics.js) posts each call to `/v1/` and its type's initial, and
 * batches to `/v1/b`, with the write key in a `text/plain` body: the tracker's kind of request.
 */
const browserLibraryPaths = ['t', 'p', 's', 'i', 'a', 'g', 'b'] as const;

/**
 * The ingest routes: `/api/collect` for the browser tracker (write key in the body, JSON sent as
 * text/plain by sendBeacon, CORS open) and Segment's HTTP tracking API under `/v1` (write key as
 * the basic-auth user name), so existing Segment and RudderStack clients can send to Closedloop.
 * Bodies are kept as text: `deliver` parses them, in this thread or the writer's.
 */
export async function registerCollectRoutes(
  app: FastifyInstance,
  options: CollectRoutesOptions,
): Promise<void> {
  const answer = async (route: IngestRoute, request: FastifyRequest, reply: FastifyReply) => {
    const body = typeof request.body === 'string' ? request.body : '';
    const receivedAt = Date.now();
    // The tracker's requests come from the browser itself; Segment's from a library or a server.
    const delivery: Delivery =
      route === 'collect'
        ? {
            route,
            body,
            receivedAt,
            requestIp: request.ip,
            requestUserAgent: request.headers['user-agent'],
          }
        : { route, body, receivedAt, basicAuthUser: basicAuthUser(request) };
    const answered = await options.deliver(delivery);
    return reply.code(answered.status).type('application/json; charset=utf-8').send(answered.body);
  };
  const asText = (_request: unknown, body: string | Buffer, done: (e: null, v: string) => void) =>
    done(null, body as string);

  /**
   * Routes browsers post to, under a prefix of their own: CORS open, and JSON taken as
   * `text/plain` too (sendBeacon cannot set a JSON content type without a CORS preflight). The
   * CORS plugin answers preflights through an `OPTIONS *` route of its context, which without the
   * prefix would match every path of the app. (Deciding CORS per request cost about 9 µs.)
   */
  const browserRoutes = (prefix: string, paths: readonly string[]) =>
    app.register(
      async (browser) => {
        browser.addHook('onRoute', withoutCorsOnWildcard);
        await browser.register(cors, { origin: true, methods: ['POST'] });
        browser.addContentTypeParser('application/json', { parseAs: 'string' }, asText);
        browser.addContentTypeParser('text/plain', { parseAs: 'string' }, asText);
        for (const path of paths) {
          browser.post(path, (request, reply) => answer('collect', request, reply));
          // The plugin's hook answers a preflight before any handler runs; this route lets one in.
          browser.options(path, (_request, reply) => reply.code(204).send());
        }
      },
      { prefix },
    );
  await browserRoutes('/api/collect', ['']);
  await browserRoutes(
    '/v1',
    browserLibraryPaths.map((path) => `/${path}`),
  );

  await app.register(async (segment) => {
    segment.addHook('onRequest', async (request) => {
      const user = basicAuthUser(request);
      if (user !== undefined) await options.deliver.checkWriteKey(user);
      // Content codings are case-insensitive, and `identity` means none.
      const encoding = request.headers['content-encoding']?.trim().toLowerCase();
      if (encoding === 'identity' || encoding === '') delete request.headers['content-encoding'];
      else if (encoding !== undefined) request.headers['content-encoding'] = encoding;
    });
    // Server libraries may compress what they send (RudderStack's by default, analytics-python
    // when asked); the body limit applies to the bytes once decompressed.
    await segment.register(compress, {
      globalCompression: false,
      requestEncodings: ['gzip', 'deflate', 'br'],
      onUnsupportedRequestEncoding: (encoding) =>
        new ClosedloopError(
          'CL_ERR_EVENT_INVALID',
          `content-encoding: expected gzip, deflate or br, got ${JSON.stringify(encoding)}`,
        ),
      // Its fields are copied onto the stream's error, which answers as a bad body does.
      onInvalidRequestPayload: (encoding) => ({
        name: 'Error',
        message: `expected ${encoding} data, as Content-Encoding says`,
        statusCode: 400,
      }),
    });
    segment.addContentTypeParser('application/json', { parseAs: 'string' }, asText);
    // Whatever else a library labels its JSON with (RudderStack's marks a gzip body as a form).
    segment.addContentTypeParser('*', { parseAs: 'string' }, asText);
    segment.post('/v1/batch', (request, reply) => answer('batch', request, reply));
    // Segment's Java and older mobile libraries send their batches to `/v1/import/`.
    for (const path of ['/v1/import', '/v1/import/']) {
      segment.post(path, (request, reply) => answer('batch', request, reply));
    }
    for (const route of segmentRoutes) {
      segment.post(`/v1/${route}`, (request, reply) => answer(route, request, reply));
    }
  });
}

/**
 * The CORS plugin's `OPTIONS *` route would answer a preflight for any path under the prefix;
 * with CORS off for it, such a path is not found, and only the routes' own OPTIONS answer.
 */
function withoutCorsOnWildcard(route: RouteOptions): void {
  if (route.method === 'OPTIONS' && route.url.endsWith('*')) {
    route.config = { ...route.config, cors: false };
  }
}

/** Segment clients send the write key as the basic-auth user name, with an empty password. */
function basicAuthUser(request: FastifyRequest): string | undefined {
  const user = basicAuthCredentials(request)?.user;
  return user === undefined || user === '' ? undefined : user;
}
