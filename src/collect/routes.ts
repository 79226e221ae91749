import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { basicAuthCredentials } from './basic-auth.js';
import type { Delivery, DeliveryHandler, IngestRoute } from './deliveries.js';

export interface CollectRoutesOptions {
  readonly deliver: DeliveryHandler;
}

const segmentRoutes: readonly IngestRoute[] = ['page', 'screen', 'track', 'identify', 'alias'];

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

  // Under its own prefix: the CORS plugin answers preflights through an `OPTIONS *` route of its
  // context, which would otherwise match every path of the app. (Deciding CORS per request
  // instead cost about 9 µs a request.)
  await app.register(
    async (tracker) => {
      // The plugin's `OPTIONS *` route would answer a preflight for any path under the prefix;
      // with CORS off for that route, such a path is not found, and only the route below answers.
      tracker.addHook('onRoute', (route) => {
        if (route.method === 'OPTIONS' && route.url.endsWith('*')) {
          route.config = { ...route.config, cors: false };
        }
      });
      await tracker.register(cors, { origin: true, methods: ['POST'] });
      tracker.addContentTypeParser('application/json', { parseAs: 'string' }, asText);
      // sendBeacon cannot set a JSON content type without a CORS preflight, so it sends text/plain.
      tracker.addContentTypeParser('text/plain', { parseAs: 'string' }, asText);
      tracker.post('', (request, reply) => answer('collect', request, reply));
      // The plugin's hook answers a preflight before any handler runs; this route lets one in.
      tracker.options('', (_request, reply) => reply.code(204).send());
    },
    { prefix: '/api/collect' },
  );

  await app.register(async (segment) => {
    segment.addContentTypeParser('application/json', { parseAs: 'string' }, asText);
    segment.post('/v1/batch', (request, reply) => answer('batch', request, reply));
    for (const route of segmentRoutes) {
      segment.post(`/v1/${route}`, (request, reply) => answer(route, request, reply));
    }
  });
}

/** Segment clients send the write key as the basic-auth user name, with an empty password. */
function basicAuthUser(request: FastifyRequest): string | undefined {
  const user = basicAuthCredentials(request)?.user;
  return user === undefined || user === '' ? undefined : user;
}
