import { parse as parseJsonSafely } from 'secure-json-parse';
import { ClosedloopError } from '../core/errors.js';
import type { StateStore, Workspace } from '../store/ports.js';
import type { IngestSink } from './ingest.js';
import { type NormalizedEvent, normalizeEvent } from './normalize.js';
import {
  type EventKind,
  expectedTime,
  maxNesting,
  nestedDeeperThan,
  parseTime,
  validateEvent,
} from './validate.js';

/** The ingest routes: `collect` is the tracker's `/api/collect`, the others Segment's `/v1/…`. */
export type IngestRoute = 'collect' | 'batch' | EventKind | 'screen';

/**
 * A request to an ingest route as plain data, its body still text: it can be prepared in the HTTP
 * thread or cross to the helper thread as it is.
 */
export interface Delivery {
  readonly route: IngestRoute;
  readonly body: string;
  /** The basic-auth user name: Segment clients send the write key there. */
  readonly basicAuthUser?: string;
  /** The HTTP client's address and user agent: the tracker's requests come from the browser. */
  readonly requestIp?: string;
  readonly requestUserAgent?: string;
  readonly receivedAt: number;
}

export interface Rejection {
  readonly index: number;
  readonly error: string;
}

/** What an ingest route answers: 200 with what was stored, or 400 naming the bad field. */
export interface DeliveryAnswer {
  readonly status: 200 | 400;
  /** The JSON body, as text, sent as it is. */
  readonly body: string;
}

/** How long a client turned away because the collector is busy is asked to wait. */
export const busyRetryAfterSeconds = 1;

/** The body of a 200: the events stored, those stored before (retries), and the bad ones. */
export interface Acknowledgement {
  readonly success: true;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: readonly Rejection[];
}

/** Parses, authenticates, checks and normalizes a delivery, and answers once it is committed. */
export interface DeliveryHandler {
  (delivery: Delivery): Promise<DeliveryAnswer>;
  /**
   * Throws CL_ERR_AUTH unless a workspace has this write key: for a key given outside the body
   * (basic auth), checked before the body is read, so a stranger's request is answered 401
   * whatever it holds and costs no reading, decompressing or parsing.
   */
  readonly checkWriteKey: (writeKey: string) => Promise<void>;
}

/**
 * A delivery parsed, its events checked and normalized, not yet authenticated: plain data, so
 * that it can be prepared in another thread.
 */
export interface PreparedDelivery {
  /** The write key the request names (basic-auth user name, or `writeKey` in the body). */
  readonly writeKey: unknown;
  readonly isBatch: boolean;
  /** Why the body as a whole is refused, once its write key is known to be good. */
  readonly refusal?: string;
  /** How many events the body holds, good and bad. */
  readonly received: number;
  readonly events: readonly NormalizedEvent[];
  readonly rejected: readonly Rejection[];
}

/** Prepares a delivery somewhere: in this thread, or in a helper thread for large bodies. */
export type Preparer = (delivery: Delivery) => Promise<PreparedDelivery>;

/** Where bodies over `overBytes` (batches) are prepared instead of in the handler's thread. */
export interface LargeBodies {
  readonly overBytes: number;
  readonly prepare: Preparer;
  /**
   * Most bytes of large bodies taken and not yet answered (default: no bound). Past it a large
   * body is turned away (CL_ERR_BUSY, HTTP 503 with Retry-After) until earlier ones are answered,
   * so that a flood of batches cannot grow the queue until the process runs out of memory.
   * Smaller bodies (single events, the tracker's usual batches) are always taken: they are
   * prepared at once, and the connections bound how many wait to be stored.
   */
  readonly maxPendingBytes?: number;
}

type Body = Record<string, unknown>;

/**
 * The parsing half of a request: a body that is not a JSON object throws (400); bad events are
 * listed by index beside the good ones, normalized.
 */
export function prepareDelivery(delivery: Delivery): PreparedDelivery {
  const body = objectBody(delivery.body);
  const { route } = delivery;
  const fromBrowser = route === 'collect';
  const writeKey = fromBrowser ? body.writeKey : (delivery.basicAuthUser ?? body.writeKey);
  const isBatch = route === 'batch' || (fromBrowser && Array.isArray(body.batch));
  if (isBatch && !Array.isArray(body.batch)) {
    const refusal = 'batch: expected an array of events';
    return { writeKey, isBatch, refusal, received: 0, events: [], rejected: [] };
  }
  const shared = isBatch ? body.context : undefined;
  const batch = body.batch as unknown[];
  const refusal =
    (isBatch ? sentAtRefusal(body.sentAt) : undefined) ??
    (shared === undefined || shared === null
      ? undefined
      : sharedContextRefusal(shared, batch.length, delivery.body.length));
  if (refusal !== undefined) {
    return { writeKey, isBatch, refusal, received: 0, events: [], rejected: [] };
  }
  const events = !isBatch
    ? [withoutEnvelope(body)]
    : isPlainObject(shared)
      ? withSharedContext(batch, shared)
      : batch;
  const kind =
    isBatch || fromBrowser ? undefined : route === 'screen' ? 'page' : (route as EventKind);
  const arrival = {
    receivedAt: delivery.receivedAt,
    sentAt:
      typeof body.sentAt === 'string' || typeof body.sentAt === 'number' ? body.sentAt : undefined,
    requestIp: fromBrowser ? delivery.requestIp : undefined,
    requestUserAgent: fromBrowser ? delivery.requestUserAgent : undefined,
  };
  const rejected: Rejection[] = [];
  const valid = events.flatMap((event, index) => {
    const result = validateEvent(event, kind);
    if (!result.ok) {
      rejected.push({ index, error: result.error });
      return [];
    }
    return [normalizeEvent(result.event, arrival)];
  });
  return { writeKey, isBatch, received: events.length, events: valid, rejected };
}

/**
 * The collector's work for one request, apart from HTTP: a body that is not a JSON object, or a
 * missing or unknown write key, throws (the app answers 400 or 401); bad events are answered 400
 * naming the field, or, in a batch with good ones, listed by index beside what was stored.
 * Bodies over `prepareLarge.overBytes` are prepared by `prepareLarge.prepare` (another thread).
 */
export function deliveryHandler(
  state: StateStore,
  sink: IngestSink,
  prepareLarge?: LargeBodies,
): DeliveryHandler {
  const workspaceOf = writeKeyCache(state);
  const answer = async (prepared: PreparedDelivery): Promise<DeliveryAnswer> => {
    const workspace = await workspaceOf(prepared.writeKey);
    if (prepared.refusal !== undefined) {
      throw new ClosedloopError('CL_ERR_EVENT_INVALID', prepared.refusal);
    }
    const { isBatch, rejected } = prepared;
    const outcome = await sink.submit(workspace, prepared.events);
    if (rejected.length > 0 && (!isBatch || rejected.length === prepared.received)) {
      const first = rejected[0] as Rejection;
      const message = isBatch
        ? `every event was rejected; event ${first.index}: ${first.error}`
        : first.error;
      const error = { code: 'CL_ERR_EVENT_INVALID', message };
      return { status: 400, body: JSON.stringify({ error, rejected }) };
    }
    const acknowledgement: Acknowledgement = { success: true, ...outcome, rejected };
    return { status: 200, body: JSON.stringify(acknowledgement) };
  };
  const checkWriteKey = async (writeKey: string) => {
    await workspaceOf(writeKey);
  };
  const prepareSmall = preparedTogether();
  if (prepareLarge === undefined) {
    return Object.assign(async (delivery: Delivery) => answer(await prepareSmall(delivery)), {
      checkWriteKey,
    });
  }
  const { overBytes, prepare, maxPendingBytes = Number.POSITIVE_INFINITY } = prepareLarge;
  let pendingBytes = 0;
  const handle = async (delivery: Delivery): Promise<DeliveryAnswer> => {
    if (delivery.body.length <= overBytes) return answer(await prepareSmall(delivery));
    const bytes = Buffer.byteLength(delivery.body);
    // The first body is always taken, whatever its size: the body limit bounds it.
    if (pendingBytes > 0 && pendingBytes + bytes > maxPendingBytes) {
      throw new ClosedloopError(
        'CL_ERR_BUSY',
        `the collector has ${pendingBytes} bytes of batches waiting (limit ${maxPendingBytes}); nothing was stored, retry after ${busyRetryAfterSeconds} s`,
      );
    }
    pendingBytes += bytes;
    try {
      return await answer(await prepare(delivery));
    } finally {
      pendingBytes -= bytes;
    }
  };
  return Object.assign(handle, { checkWriteKey });
}

/**
 * Prepares the deliveries that arrive in one turn of the event loop together, at the end of the
 * turn, in arrival order. One after another in a loop, parsing, checking and normalizing keep
 * their code and data in the CPU's caches; done as each request arrives, between the HTTP work of
 * the others, the same preparing cost about three times as much (`npm run bench:collect`: 20 %
 * more one-event requests a second). A body that cannot be prepared fails its own delivery only.
 */
function preparedTogether(): Preparer {
  let waiting: {
    delivery: Delivery;
    resolve: (prepared: PreparedDelivery) => void;
    reject: (error: unknown) => void;
  }[] = [];
  const prepareWaiting = () => {
    const turn = waiting;
    waiting = [];
    for (const { delivery, resolve, reject } of turn) {
      try {
        resolve(prepareDelivery(delivery));
      } catch (error) {
        reject(error);
      }
    }
  };
  return (delivery) =>
    new Promise((resolve, reject) => {
      if (waiting.length === 0) setImmediate(prepareWaiting);
      waiting.push({ delivery, resolve, reject });
    });
}

/** JSON, refusing `__proto__` and `constructor.prototype` keys as Fastify's own parser does. */
function objectBody(text: string): Body {
  let body: unknown;
  try {
    body = parseJsonSafely(text, null, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    const poisoned = error instanceof Error && /forbidden prototype/.test(error.message);
    throw new ClosedloopError(
      'CL_ERR_EVENT_INVALID',
      poisoned
        ? 'body: keys named __proto__ or constructor.prototype are refused'
        : 'body: expected JSON',
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ClosedloopError('CL_ERR_EVENT_INVALID', 'body: expected a JSON object');
  }
  return body as Body;
}

/** Why a batch's own `sentAt` is refused: a time it cannot be, which would correct nothing. */
function sentAtRefusal(sentAt: unknown): string | undefined {
  if (sentAt === undefined || sentAt === null) return undefined;
  const time =
    typeof sentAt === 'string' || typeof sentAt === 'number' ? parseTime(sentAt) : Number.NaN;
  return Number.isNaN(time) ? `sentAt: ${expectedTime}, got ${JSON.stringify(sentAt)}` : undefined;
}

/** How many times its body's size a batch's shared context may add, copied into its events. */
const maxSharedContextGrowth = 4;

/**
 * Why a batch's own context is refused: not an object, or so large that, copied into every
 * event, it would let a small body store far more than itself.
 */
function sharedContextRefusal(
  shared: unknown,
  count: number,
  bodyLength: number,
): string | undefined {
  if (!isPlainObject(shared)) {
    return 'context: expected an object, the context of every event of the batch';
  }
  // Before measuring it: writing out JSON nested that deep overflows the stack.
  if (nestedDeeperThan(shared, maxNesting)) {
    return `context: nested deeper than ${maxNesting} levels`;
  }
  const sharedBytes = JSON.stringify(shared).length;
  if (sharedBytes * count <= maxSharedContextGrowth * bodyLength) return undefined;
  return `context: ${sharedBytes} characters, copied into each of the batch's ${count} events, would store over ${maxSharedContextGrowth} times the body; send it with each event instead`;
}

/**
 * Segment's batch may carry a `context` for all its events (its Java library puts the library,
 * IP and user agent there): each event's own context fields win over it.
 */
function withSharedContext(batch: unknown[], shared: Body): unknown[] {
  return batch.map((event) => {
    if (!isPlainObject(event)) return event;
    const own = event.context;
    if (own !== undefined && own !== null && !isPlainObject(own)) return event;
    return { ...event, context: { ...shared, ...own } };
  });
}

function isPlainObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
    if (writeKey !== undefined && writeKey !== null && typeof writeKey !== 'string') {
      const got =
        typeof writeKey !== 'object'
          ? JSON.stringify(writeKey)
          : Array.isArray(writeKey)
            ? 'an array'
            : 'an object';
      throw new ClosedloopError('CL_ERR_AUTH', `writeKey: expected text, got ${got}`);
    }
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
