import { Worker } from 'node:worker_threads';
import { ClosedloopError, type ErrorCode } from '../core/errors.js';
import type { StateStore, Workspace } from '../store/ports.js';
import {
  type Delivery,
  type DeliveryAnswer,
  type DeliveryHandler,
  deliveryHandler,
} from './deliveries.js';
import type { IngestOutcome, IngestSink } from './ingest.js';
import type { NormalizedEvent } from './normalize.js';

/** Work for the writer: events this thread has parsed, or a delivery for it to parse. */
export type Job =
  | {
      readonly id: number;
      readonly kind: 'submit';
      readonly workspace: Workspace;
      readonly events: readonly NormalizedEvent[];
    }
  | { readonly id: number; readonly kind: 'deliver'; readonly delivery: Delivery };

/** Jobs travel in bundles: one postMessage per few requests, not one per request. */
export type WorkerRequest =
  | { readonly kind: 'jobs'; readonly jobs: readonly Job[] }
  | { readonly kind: 'flush' | 'close'; readonly id: number };

export interface WorkerReply {
  readonly id: number;
  readonly outcome?: IngestOutcome;
  readonly answer?: DeliveryAnswer;
  readonly error?: { readonly code: ErrorCode; readonly message: string };
}

/**
 * A bundle leaves once it holds this many jobs, else at the end of the turn: under a burst the
 * writer starts on the first requests while this thread still reads the others.
 */
const bundleSize = 8;

/**
 * Bodies up to this size cross to the writer as text: parsing one event costs about what cloning
 * it parsed would, and the HTTP thread is then left to HTTP. Larger ones (batches) are parsed
 * here, so that the two threads share the work.
 */
const handOverBytes = 8 * 1024;

/**
 * Ingest in a writer thread (see `ingest-worker.ts`): the writer sessionizes, stitches and
 * commits; small requests it also parses and checks. Replies come back by job id. If the writer
 * dies, what it had not acknowledged fails (clients retry) and the next job starts a new writer.
 */
export class WorkerIngestor implements IngestSink {
  readonly #dbPath: string;
  readonly #waiting = new Map<number, { resolve: (reply: WorkerReply) => void }>();
  #worker: Promise<Worker> | undefined;
  #nextId = 1;
  #bundle: Job[] = [];

  constructor(dbPath: string) {
    this.#dbPath = dbPath;
  }

  /** Starts the writer now, so the first request does not wait for it. */
  async start(): Promise<void> {
    await this.#ready();
  }

  /** The collector's handler: small deliveries go to the writer whole, large ones are parsed here. */
  deliveries(state: StateStore): DeliveryHandler {
    const parseHere = deliveryHandler(state, this);
    return (delivery) =>
      delivery.body.length <= handOverBytes ? this.deliver(delivery) : parseHere(delivery);
  }

  async deliver(delivery: Delivery): Promise<DeliveryAnswer> {
    const reply = await this.#run((id) => ({ id, kind: 'deliver', delivery }));
    return reply.answer as DeliveryAnswer;
  }

  async submit(workspace: Workspace, events: readonly NormalizedEvent[]): Promise<IngestOutcome> {
    if (events.length === 0) return { accepted: 0, duplicates: 0 };
    const reply = await this.#run((id) => ({ id, kind: 'submit', workspace, events }));
    return reply.outcome as IngestOutcome;
  }

  async flush(): Promise<void> {
    if (this.#worker !== undefined) await this.#ask({ kind: 'flush', id: this.#nextId++ });
  }

  async close(): Promise<void> {
    if (this.#worker === undefined) return;
    await this.#ask({ kind: 'close', id: this.#nextId++ });
    const worker = await this.#worker;
    this.#worker = undefined;
    await worker.terminate();
  }

  async #run(job: (id: number) => Job): Promise<WorkerReply> {
    const worker = await this.#ready();
    const id = this.#nextId++;
    const reply = await new Promise<WorkerReply>((resolve) => {
      this.#waiting.set(id, { resolve });
      if (this.#bundle.length === 0) setImmediate(() => this.#post(worker));
      this.#bundle.push(job(id));
      if (this.#bundle.length >= bundleSize) this.#post(worker);
    });
    if (reply.error !== undefined) throw new ClosedloopError(reply.error.code, reply.error.message);
    return reply;
  }

  #post(worker: Worker): void {
    if (this.#bundle.length === 0) return;
    const jobs = this.#bundle;
    this.#bundle = [];
    worker.postMessage({ kind: 'jobs', jobs } satisfies WorkerRequest);
  }

  async #ask(request: WorkerRequest & { readonly id: number }): Promise<WorkerReply> {
    const worker = await this.#ready();
    const reply = await new Promise<WorkerReply>((resolve) => {
      this.#waiting.set(request.id, { resolve });
      worker.postMessage(request);
    });
    if (reply.error !== undefined) throw new ClosedloopError(reply.error.code, reply.error.message);
    return reply;
  }

  #ready(): Promise<Worker> {
    this.#worker ??= new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./ingest-worker.js', import.meta.url), {
        workerData: { dbPath: this.#dbPath },
      });
      worker.on('message', (replies: readonly WorkerReply[]) => {
        for (const reply of replies) {
          if (reply.id === 0) {
            resolve(worker);
            continue;
          }
          const waiting = this.#waiting.get(reply.id);
          this.#waiting.delete(reply.id);
          waiting?.resolve(reply);
        }
      });
      const fail = (error: Error) => {
        this.#worker = undefined;
        reject(error);
        const lost = {
          code: 'CL_ERR_STORE' as const,
          message: `the writer thread stopped: ${error.message}`,
        };
        for (const [id, waiting] of this.#waiting) waiting.resolve({ id, error: lost });
        this.#waiting.clear();
      };
      worker.once('error', fail);
      worker.once('exit', (code) => {
        if (this.#worker !== undefined) fail(new Error(`exit code ${code}`));
      });
    });
    return this.#worker;
  }
}
