import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ClosedloopError } from '../core/errors.js';
import type { StateStore, Workspace } from '../store/ports.js';
import { basicAuthCredentials } from './basic-auth.js';
import type { IngestSink } from './ingest.js';
import { normalizeEvent } from './normalize.js';
import { type EventKind, validateEvent } from './validate.js';

export interface CollectRoutesOptions {
  readonly state: StateStore;
  readonly ingestor: IngestSink;
}

interface Rejection {
  readonly index: number;
  readonly error: string;
}

type Body = Record<string, unknown>;

const segmentRoutes: readonly (EventKind | 'screen')[] = [
  'page',
  'screen',
  'track',
  'identify',
  'alias',
];

/**
 * The ingest routes: `/api/collect` for the browser tracker (write key in the body, JSON sent as
 * text/plain by sendBeacon, CORS open) and Segment's HTTP tracking API under `/v1` (write key as
 * the basic-auth user name), so existing Segment and RudderStack clients can send to Closedloop.
 */
export async function registerCollectRoutes(
  app: FastifyInstance,
  options: CollectRoutesOptions,
): Promise<void> {
  const { state, ingestor } = options;
  const workspaceOf = writeKeyCache(state);

  const ingest = async (
    request: FastifyRequest,
    workspace: Workspace,
    raw: unknown[],
    kind: EventKind | undefined,
    sentAt: unknown,
    fromBrowser: boolean,
  ) => {
    const rejected: Rejection[] = [];
    const arrival = {
      receivedAt: Date.now(),
      sentAt: typeof sentAt === 'string' || typeof sentAt === 'number' ? sentAt : undefined,
      requestIp: fromBrowser ? request.ip : undefined,
      requestUserAgent: fromBrowser ? request.headers['user-agent'] : undefined,
    };
    const valid = raw.flatMap((event, index) => {
      const result = validateEvent(event, kind);
      if (!result.ok) {
        rejected.push({ index, error: result.error });
        return [];
      }
      return [normalizeEvent(result.event, arrival)];
    });
    const outcome = await ingestor.submit(workspace, valid);
    return { ...outcome, rejected };
  };

  const answer = (
    reply: FastifyReply,
    result: { accepted: number; duplicates: number; rejected: Rejection[] },
    single: boolean,
    total: number,
  ) => {
    if (result.rejected.length > 0 && (single || result.rejected.length === total)) {
      const first = result.rejected[0] as Rejection;
      const message = single
        ? first.error
        : `every event was rejected; event ${first.index}: ${first.error}`;
      return reply
        .code(400)
        .send({ error: { code: 'CL_ERR_EVENT_INVALID', message }, rejected: result.rejected });
    }
    return reply.send({ success: true, ...result });
  };

  await app.register(async (tracker) => {
    await tracker.register(cors, { origin: true, methods: ['POST'] });
    // sendBeacon cannot set a JSON content type without a CORS preflight, so it sends text/plain.
    tracker.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) =>
      parseJson(body as string, done),
    );
    tracker.post('/api/collect', async (request, reply) => {
      const body = objectBody(request.body);
      const workspace = await workspaceOf(body.writeKey);
      const single = !Array.isArray(body.batch);
      const events = single ? [withoutEnvelope(body)] : (body.batch as unknown[]);
      return answer(
        reply,
        await ingest(request, workspace, events, undefined, body.sentAt, true),
        single,
        events.length,
      );
    });
  });

  app.post('/v1/batch', async (request, reply) => {
    const body = objectBody(request.body);
    const workspace = await workspaceOf(basicAuthUser(request) ?? body.writeKey);
    if (!Array.isArray(body.batch)) {
      throw new ClosedloopError('CL_ERR_EVENT_INVALID', 'batch: expected an array of events');
    }
    return answer(
      reply,
      await ingest(request, workspace, body.batch, undefined, body.sentAt, false),
      false,
      body.batch.length,
    );
  });

  for (const route of segmentRoutes) {
    app.post(`/v1/${route}`, async (request, reply) => {
      const body = objectBody(request.body);
      const workspace = await workspaceOf(basicAuthUser(request) ?? body.writeKey);
      const kind = route === 'screen' ? 'page' : route;
      return answer(
        reply,
        await ingest(request, workspace, [withoutEnvelope(body)], kind, undefined, false),
        true,
        1,
      );
    });
  }
}

function parseJson(body: string, done: (error: Error | null, value?: unknown) => void): void {
  try {
    done(null, JSON.parse(body));
  } catch {
    const error = new ClosedloopError('CL_ERR_EVENT_INVALID', 'body: expected JSON');
    done(error);
  }
}

function objectBody(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ClosedloopError('CL_ERR_EVENT_INVALID', 'body: expected a JSON object');
  }
  return body as Body;
}

function withoutEnvelope(body: Body): Body {
  const { writeKey: _writeKey, ...event } = body;
  return event;
}

const writeKeyTtlMs = 10_000;

/**
 * Write key → workspace, remembered for a few seconds: every request names its key, and a store
 * lookup per event would cost more than the rest of the request. A removed key stops working
 * within the TTL.
 */
function writeKeyCache(state: StateStore): (writeKey: unknown) => Promise<Workspace> {
  const known = new Map<string, { workspace: Workspace | undefined; until: number }>();
  return async (writeKey) => {
    if (typeof writeKey !== 'string' || writeKey === '') {
      throw new ClosedloopError(
        'CL_ERR_AUTH',
        'write key: missing (basic auth user name, or writeKey in the body)',
      );
    }
    const now = Date.now();
    let entry = known.get(writeKey);
    if (entry === undefined || entry.until < now) {
      entry = { workspace: await state.workspaceByWriteKey(writeKey), until: now + writeKeyTtlMs };
      if (known.size >= 10_000) known.clear();
      known.set(writeKey, entry);
    }
    if (entry.workspace === undefined)
      throw new ClosedloopError('CL_ERR_AUTH', 'write key: unknown');
    return entry.workspace;
  };
}

/** Segment clients send the write key as the basic-auth user name, with an empty password. */
function basicAuthUser(request: FastifyRequest): string | undefined {
  const user = basicAuthCredentials(request)?.user;
  return user === undefined || user === '' ? undefined : user;
}
