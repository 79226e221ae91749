import { Worker } from 'node:worker_threads';
import { ClosedloopError, type ErrorCode } from '../core/errors.js';
import type { Delivery, PreparedDelivery, Preparer } from './deliveries.js';

/**
 * Bodies over this size (batches) are prepared in the helper thread: a single event costs less to
 * parse here than to send there and back.
 */
export const preparedElsewhereOverBytes = 8 * 1024;

export interface PrepareRequest {
  readonly id: number;
  readonly delivery: Delivery;
}

export interface PrepareReply {
  readonly id: number;
  readonly prepared?: PreparedDelivery;
  readonly error?: { readonly code: ErrorCode; readonly message: string };
}

/**
 * A helper thread that prepares deliveries (see `prepare-worker.ts`), so that a large batch is
 * parsed while the HTTP thread stores the last one. If the thread dies, the deliveries it held
 * fail (clients retry) and the next one starts a new thread.
 */
export class PrepareThread {
  readonly #waiting = new Map<
    number,
    { readonly worker: Worker; readonly resolve: (reply: PrepareReply) => void }
  >();
  #worker: Worker | undefined;
  #nextId = 1;

  readonly prepare: Preparer = async (delivery) => {
    const worker = this.#running();
    const id = this.#nextId++;
    const reply = await new Promise<PrepareReply>((resolve) => {
      this.#waiting.set(id, { worker, resolve });
      worker.postMessage({ id, delivery } satisfies PrepareRequest);
    });
    if (reply.error !== undefined) throw new ClosedloopError(reply.error.code, reply.error.message);
    return reply.prepared as PreparedDelivery;
  };

  /** Starts the thread now, so that the first batch does not wait for it. */
  async start(): Promise<void> {
    const worker = this.#running();
    await new Promise((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  #running(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const worker = new Worker(new URL('./prepare-worker.js', import.meta.url));
    worker.on('message', (reply: PrepareReply) => {
      const waiting = this.#waiting.get(reply.id);
      this.#waiting.delete(reply.id);
      waiting?.resolve(reply);
    });
    // What this thread still held fails now, so that no request is left hanging.
    const stopped = (why: string) => {
      if (this.#worker === worker) this.#worker = undefined;
      const message = `the preparing thread stopped: ${why}`;
      for (const [id, waiting] of this.#waiting) {
        if (waiting.worker !== worker) continue;
        this.#waiting.delete(id);
        waiting.resolve({ id, error: { code: 'CL_ERR_INTERNAL', message } });
      }
    };
    worker.on('error', (error) => stopped(error.message));
    worker.on('exit', (code) => stopped(`exit code ${code}`));
    this.#worker = worker;
    return worker;
  }
}
