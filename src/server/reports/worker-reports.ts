import { Worker } from 'node:worker_threads';
import { ClosedloopError, type ErrorCode } from '../../core/errors.js';
import type { Workspace } from '../../store/ports.js';
import type { ReportKind, ReportKinds, ReportRunner } from './runner.js';

export interface ReportRequestMessage {
  readonly id: number;
  readonly kind: ReportKind;
  readonly workspace: Workspace;
  readonly request: ReportKinds[ReportKind]['request'];
}

export interface ReportReply {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: { readonly code: ErrorCode; readonly message: string };
}

/**
 * Reports computed in a thread of their own, on its own connection to the SQLite file (WAL lets
 * it read while the collector writes). Requests queue there one after another; if the thread
 * dies, the reports it held fail and the next request starts a new one.
 */
export class WorkerReports implements ReportRunner {
  readonly #dbPath: string;
  readonly #waiting = new Map<number, (reply: ReportReply) => void>();
  #worker: Promise<Worker> | undefined;
  #nextId = 1;

  constructor(dbPath: string) {
    this.#dbPath = dbPath;
  }

  async run<K extends ReportKind>(
    kind: K,
    workspace: Workspace,
    request: ReportKinds[K]['request'],
  ): Promise<ReportKinds[K]['result']> {
    const worker = await this.#ready();
    const id = this.#nextId++;
    const reply = await new Promise<ReportReply>((resolve) => {
      this.#waiting.set(id, resolve);
      worker.postMessage({ id, kind, workspace, request } satisfies ReportRequestMessage);
    });
    if (reply.error !== undefined) throw new ClosedloopError(reply.error.code, reply.error.message);
    return reply.result as ReportKinds[K]['result'];
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker !== undefined) await (await worker).terminate();
  }

  #ready(): Promise<Worker> {
    this.#worker ??= new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./report-worker.js', import.meta.url), {
        workerData: { dbPath: this.#dbPath },
      });
      worker.on('message', (reply: ReportReply) => {
        if (reply.id === 0) {
          resolve(worker);
          return;
        }
        this.#waiting.get(reply.id)?.(reply);
        this.#waiting.delete(reply.id);
      });
      const fail = (error: Error) => {
        this.#worker = undefined;
        reject(error);
        const lost = {
          code: 'CL_ERR_STORE' as const,
          message: `the report thread stopped: ${error.message}`,
        };
        for (const [id, resolveReply] of this.#waiting) resolveReply({ id, error: lost });
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
