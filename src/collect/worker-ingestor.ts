import { Worker } from 'node:worker_threads';
import { ClosedloopError, type ErrorCode } from '../core/errors.js';
import type { Workspace } from '../store/ports.js';
import type { IngestOutcome, IngestSink } from './ingest.js';
import type { NormalizedEvent } from './normalize.js';

export interface Submission {
  readonly id: number;
  readonly workspace: Workspace;
  readonly events: readonly NormalizedEvent[];
}

/** Messages travel in bundles: one postMessage per turn of the event loop, not one per request. */
export type WorkerRequest =
  | { readonly kind: 'submit'; readonly submissions: readonly Submission[] }
  | { readonly kind: 'flush' | 'close'; readonly id: number };

export interface WorkerReply {
  readonly id: number;
  readonly outcome?: IngestOutcome;
  readonly error?: { readonly code: ErrorCode; readonly message: string };
}

/**
 * Ingest in a writer thread (see `ingest-worker.ts`): the HTTP thread parses, validates and
 * normalizes; the writer sessionizes, stitches and commits. Replies come back by request id. If
 * the writer dies, what it had not acknowledged fails (clients retry) and the next submission
 * starts a new writer.
 */
export class WorkerIngestor implements IngestSink {
  readonly #dbPath: string;
  readonly #waiting = new Map<number, { resolve: (reply: WorkerReply) => void }>();
  #worker: Promise<Worker> | undefined;
  #nextId = 1;
  #bundle: Submission[] = [];

  constructor(dbPath: string) {
    this.#dbPath = dbPath;
  }

  /** Starts the writer now, so the first request does not wait for it. */
  async start(): Promise<void> {
    await this.#ready();
  }

  async submit(workspace: Workspace, events: readonly NormalizedEvent[]): Promise<IngestOutcome> {
    if (events.length === 0) return { accepted: 0, duplicates: 0 };
    const worker = await this.#ready();
    const id = this.#nextId++;
    const reply = await new Promise<WorkerReply>((resolve) => {
      this.#waiting.set(id, { resolve });
      if (this.#bundle.length === 0) {
        setImmediate(() => {
          const submissions = this.#bundle;
          this.#bundle = [];
          worker.postMessage({ kind: 'submit', submissions } satisfies WorkerRequest);
        });
      }
      this.#bundle.push({ id, workspace, events });
    });
    if (reply.error !== undefined) throw new ClosedloopError(reply.error.code, reply.error.message);
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
