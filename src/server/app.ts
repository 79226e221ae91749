import type { Duplex } from 'node:stream';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { busyRetryAfterSeconds, deliveryHandler, type LargeBodies } from '../collect/deliveries.js';
import { Ingestor, type IngestSink } from '../collect/ingest.js';
import { truncateIp } from '../collect/privacy.js';
import { registerCollectRoutes } from '../collect/routes.js';
import { createChannelClassifier } from '../core/channels/classify.js';
import { isClosedloopError } from '../core/errors.js';
import type { EventStore, StateStore } from '../store/ports.js';
import { registerCrmRoutes } from './crm-routes.js';
import { registerReportRoutes } from './report-routes.js';
import { inThreadReports, type ReportRunner } from './reports/runner.js';
import { registerTrackerRoutes, type TrackerRoutesOptions } from './tracker-routes.js';

export interface AppOptions {
  readonly events: EventStore;
  readonly state: StateStore;
  /** Largest request body in bytes (default 500 KB). */
  readonly bodyLimit?: number;
  /** Where request logs go, as JSON lines (none by default). */
  readonly log?: NodeJS.WritableStream;
  /** Where validated events go; default: an ingestor in this thread on the stores above. */
  readonly ingest?: IngestSink;
  /** Where bodies over `overBytes` (batches) are parsed and checked; default: in this thread. */
  readonly prepareLarge?: LargeBodies;
  /** The browser tracker at /t.js and the demo site at /demo-site/. */
  readonly tracker?: TrackerRoutesOptions;
  /** Where reports are computed; default: in this thread, on the stores above. */
  readonly reports?: ReportRunner;
  /**
   * Proxies (addresses, CIDR ranges) whose `X-Forwarded-For` names the client; by default the
   * connection's own address is the client's, whatever the headers say.
   */
  readonly trustProxy?: readonly string[];
  /** The clock signed webhooks are judged by (default Date.now). */
  readonly now?: () => number;
}

export interface App {
  readonly fastify: FastifyInstance;
  readonly ingestor: IngestSink;
  /** Stops taking requests, then commits every event already acknowledged or queued. */
  close(): Promise<void>;
}

const statusOf: Record<string, number> = {
  CL_ERR_AUTH: 401,
  CL_ERR_NOT_FOUND: 404,
  CL_ERR_METHOD: 405,
  CL_ERR_PAYLOAD_TOO_LARGE: 413,
  CL_ERR_BUSY: 503,
  CL_ERR_TIME_LIMIT: 503,
};

/** What a 500 tells the client; what failed inside goes to the log. */
const failedMessage = 'the server failed; the request can be retried';

/** The HTTP app: every error, ours or Fastify's, answers with one JSON shape. */
export async function buildApp(options: AppOptions): Promise<App> {
  const fastify = Fastify({
    bodyLimit: options.bodyLimit ?? 500 * 1024,
    logger:
      options.log === undefined
        ? false
        : { stream: options.log, serializers: { req: loggedRequest } },
    trustProxy: options.trustProxy?.slice() ?? false,
    // A request that reaches the app while it closes (one pipelined behind a request in flight)
    // is served, told `Connection: close`, instead of Fastify's own 503 body: its events are
    // committed before the app lets go of the store, and no answer leaves the one JSON shape.
    return503OnClosing: false,
    // A request Node's parser refuses never reaches a route: it gets the same JSON shape.
    clientErrorHandler: answerClientError,
    // Nor does one whose path Fastify cannot decode (`%E0%A4%A`).
    frameworkErrors: (error, _request, reply) => {
      (reply as FastifyReply)
        .code(400)
        .send({ error: { code: 'CL_ERR_USAGE', message: `path: ${error.message}` } });
    },
  });
  const classifier = createChannelClassifier();
  const ingestor =
    options.ingest ??
    new Ingestor({
      events: options.events,
      state: options.state,
      classifierFor: () => classifier,
    });

  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    if (isClosedloopError(error)) {
      const status = statusOf[error.code] ?? (error.kind === 'input' ? 400 : 500);
      if (error.code === 'CL_ERR_BUSY') {
        // Shedding load (or waiting out another connection's lock) is the server working as
        // meant: a warning, and a time to come back.
        request.log.warn(error.message);
        reply.header('retry-after', String(busyRetryAfterSeconds));
      } else if (status >= 500) request.log.error(error);
      const scheme = status === 401 ? authScheme(request.url) : undefined;
      if (scheme !== undefined) reply.header('www-authenticate', scheme);
      // A failure's detail (SQLite's text, a path, a stopped thread's error) is for the log; the
      // 503s keep theirs, which tell the client when to come back or what to ask for.
      const message = status === 500 ? failedMessage : error.message;
      return reply.code(status).send({ error: { code: error.code, message } });
    }
    const status = error.statusCode ?? 500;
    if (status === 413) {
      return reply.code(413).send({
        error: {
          code: 'CL_ERR_PAYLOAD_TOO_LARGE',
          message: `body: over the limit of ${fastify.initialConfig.bodyLimit} bytes`,
        },
      });
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      const sent = request.headers['content-type'];
      const takes = isBrowserIngest(request.url)
        ? 'application/json or text/plain'
        : 'application/json';
      return reply.code(415).send({
        error: {
          code: invalidBodyCode(request.url),
          message: `content-type: expected ${takes}, got ${sent === undefined ? 'none' : JSON.stringify(sent)}`,
        },
      });
    }
    if (status >= 400 && status < 500) {
      return reply
        .code(status)
        .send({ error: { code: invalidBodyCode(request.url), message: `body: ${error.message}` } });
    }
    request.log.error(error);
    return reply.code(500).send({ error: { code: 'CL_ERR_INTERNAL', message: failedMessage } });
  });
  fastify.setNotFoundHandler((request, reply) => {
    // A path some route has, asked with another method (GET on an ingest route): 405, naming
    // the methods it takes, as HTTP asks. Not a CORS preflight: where CORS is closed it finds
    // nothing, as before.
    const path = request.url.split('?')[0] as string;
    const allowed =
      request.method === 'OPTIONS'
        ? []
        : routeMethods.filter((method) => routeTakes(fastify, method, path));
    if (allowed.length > 0) {
      const allow = allowed.join(', ');
      return reply
        .code(405)
        .header('allow', allow)
        .send({
          error: {
            code: 'CL_ERR_METHOD',
            message: `${request.method} ${path}: this route takes ${allow}`,
          },
        });
    }
    return reply.code(404).send({
      error: {
        code: 'CL_ERR_NOT_FOUND',
        message: `${request.method} ${request.url}: no such route`,
      },
    });
  });

  const deliver = deliveryHandler(options.state, ingestor, options.prepareLarge);
  await registerCollectRoutes(fastify, { deliver });
  await registerTrackerRoutes(fastify, options.tracker);
  await registerCrmRoutes(fastify, {
    state: options.state,
    events: options.events,
    now: options.now,
  });
  const reports = options.reports ?? inThreadReports(options);
  await registerReportRoutes(fastify, { state: options.state, reports, now: options.now });
  fastify.get('/health', async () => ({ ok: true }));

  return {
    fastify,
    ingestor,
    async close() {
      await fastify.close();
      try {
        await ingestor.close();
      } finally {
        await reports.close();
      }
    },
  };
}

const routeMethods = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;

/**
 * Whether a route answers `method` on this concrete path, matched as the router matches it
 * (`/api/targets/:period` takes `/api/targets/2027-01`; `hasRoute` compares registered patterns
 * only). A wildcard route counts for none: the CORS plugin's `OPTIONS *` matches every path under
 * its prefix.
 */
function routeTakes(
  fastify: FastifyInstance,
  method: (typeof routeMethods)[number],
  path: string,
): boolean {
  // Null when no route matches, whatever the declared type says.
  const route: { params: Record<string, string | undefined> } | null = fastify.findRoute({
    method,
    url: path,
  });
  return route !== null && !('*' in route.params);
}

/**
 * How a refused client should authenticate (RFC 9110 asks a 401 to say): a secret key as bearer
 * token under /api, the write key as basic-auth user on Segment's /v1 and Pipedrive's webhooks.
 * HubSpot signs its webhooks instead, and the tracker sends its key in the body: no scheme.
 */
function authScheme(url: string): string | undefined {
  if (url.startsWith('/api/') && !url.startsWith('/api/collect')) {
    return 'Bearer realm="closedloop"';
  }
  if (url.startsWith('/v1/') || url.startsWith('/webhooks/pipedrive/')) {
    return 'Basic realm="closedloop"';
  }
  return undefined;
}

/** Routes browsers post to, which take JSON sent as `text/plain` (`sendBeacon`). */
function isBrowserIngest(url: string): boolean {
  return url.startsWith('/api/collect') || /^\/v1\/[tpsiagb](?:[/?]|$)/.test(url);
}

/** The code of a body the framework refuses (malformed JSON, another content type), by route. */
function invalidBodyCode(
  url: string,
): 'CL_ERR_EVENT_INVALID' | 'CL_ERR_DEAL_INVALID' | 'CL_ERR_USAGE' {
  if (url.startsWith('/api/collect') || url.startsWith('/v1/')) return 'CL_ERR_EVENT_INVALID';
  if (/^\/(api\/(deals|conversions|pipelines|targets)|webhooks\/)/.test(url)) {
    return 'CL_ERR_DEAL_INVALID';
  }
  return 'CL_ERR_USAGE';
}

/** Headers too large (431) or a request line that is no HTTP (400), answered as every error is. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'headers: larger than the server takes']
      : [400, 'Bad Request', 'request: not a well-formed HTTP request'];
  const body = JSON.stringify({ error: { code: 'CL_ERR_USAGE', message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * What a request log line says of the request: no headers (keys travel there), and the client's
 * address truncated as the collector stores it, so the logs hold no more than the database.
 */
function loggedRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: loggedPath(request.url),
    remoteAddress: truncateIp(request.ip),
  };
}

/**
 * The path alone: a query string or an absolute URL's user info may carry a key or a password,
 * and the log is no place for them.
 */
function loggedPath(url: string): string {
  const withoutQuery = url.split('?')[0] ?? '';
  return withoutQuery.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
}
