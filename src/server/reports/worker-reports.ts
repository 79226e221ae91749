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
  /** The report has started computing (the thread computes one at a time). */
  readonly started?: true;
  readonly result?: unknown;
  readonly error?: { readonly code: ErrorCode; readonly message: string };
}

export interface WorkerReportsOptions {
  /**
   * Longest a report may compute, from its start (default: no limit; the thread computes one
   * report at a time, and time spent waiting behind another does not count). Past it the report
   * fails (CL_ERR_TIME_LIMIT) and its thread is stopped, the only way to stop arithmetic; the
   * reports waiting there start again on a new thread.
   */
  readonly timeLimitMs?: number;
}

interface Waiting {
  readonly message: ReportRequestMessage;
  readonly settle: (reply: ReportReply) => void;
  timer?: NodeJS.Timeout;
}

/**
 * Reports computed in a thread of their own, on its own connection to the SQLite file (WAL lets
 * it read while the collector writes). If the thread dies, the reports it held fail and the next
 * request starts a new one.
 */
export class WorkerReports implements ReportRunner {
  readonly #dbPath: string;
  readonly #timeLimitMs: number | undefined;
  readonly #waiting = new Map<number, Waiting>();
  #worker: Promise<Worker> | undefined;
  #closed = false;
  #nextId = 1;

  constructor(dbPath: string, options: WorkerReportsOptions = {}) {
    this.#dbPath = dbPath;
    this.#timeLimitMs = options.timeLimitMs;
  }

  async run<K extends ReportKind>(
    kind: K,
    workspace: Workspace,
    request: ReportKinds[K]['request'],
  ): Promise<ReportKinds[K]['result']> {
    const message = { id: this.#nextId++, kind, workspace, request };
    const reply = await new Promise<ReportReply>((settle, fail) => {
      this.#dispatch({ message, settle }).catch(fail);
    });
    if (reply.error !== undefined) throw new ClosedloopError(reply.error.code, reply.error.message);
    return reply.result as ReportKinds[K]['result'];
  }

  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    for (const waiting of this.#waiting.values()) clearTimeout(waiting.timer);
    if (worker !== undefined) await (await worker).terminate();
  }

  async #dispatch(waiting: Waiting): Promise<void> {
    let worker: Worker | undefined;
    while (worker === undefined) {
      if (this.#closed) throw new ClosedloopError('CL_ERR_STORE', 'the reports are closed');
      const starting = this.#ready();
      const started = await starting;
      // Stopped for another report's time limit while starting: take the next one.
      if (this.#worker === starting) worker = started;
    }
    this.#waiting.set(waiting.message.id, waiting);
    worker.postMessage(waiting.message satisfies ReportRequestMessage);
  }

  /** The time limit counts from the start of the report's own computing. */
  #started(waiting: Waiting): void {
    if (this.#timeLimitMs === undefined) return;
    clearTimeout(waiting.timer);
    waiting.timer = setTimeout(() => this.#timedOut(waiting), this.#timeLimitMs);
  }

  /** Fails the report, stops its thread, and starts the others again on a new one. */
  #timedOut(late: Waiting): void {
    const seconds = ((this.#timeLimitMs ?? 0) / 1000).toLocaleString('en');
    this.#waiting.delete(late.message.id);
    late.settle({
      id: late.message.id,
      error: {
        code: 'CL_ERR_TIME_LIMIT',
        message: `the ${late.message.kind} report took longer than ${seconds} s, the server's limit (serve --report-time-limit): ask for less, such as a shorter span or fewer as-of dates`,
      },
    });
    const stopped = this.#worker;
    this.#worker = undefined;
    const others = [...this.#waiting.values()];
    this.#waiting.clear();
    void stopped?.then((worker) => worker.terminate());
    for (const waiting of others) {
      clearTimeout(waiting.timer);
      this.#dispatch(waiting).catch((error: unknown) =>
        waiting.settle({
          id: waiting.message.id,
          error: { code: 'CL_ERR_STORE', message: `the report thread stopped: ${String(error)}` },
        }),
      );
    }
  }

  #ready(): Promise<Worker> {
    if (this.#worker !== undefined) return this.#worker;
    const starting = new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(new URL('./report-worker.js', import.meta.url), {
        workerData: { dbPath: this.#dbPath },
      });
      // A thread stopped for its time limit may still speak, or die: it no longer counts.
      const current = () => this.#worker === starting;
      worker.on('message', (reply: ReportReply) => {
        if (reply.id === 0) {
          resolve(worker);
          return;
        }
        if (!current()) return;
        const waiting = this.#waiting.get(reply.id);
        if (waiting === undefined) return;
        if (reply.started === true) {
          this.#started(waiting);
          return;
        }
        clearTimeout(waiting.timer);
        this.#waiting.delete(reply.id);
        waiting.settle(reply);
      });
      const fail = (error: Error) => {
        reject(error);
        if (!current()) return;
        this.#worker = undefined;
        const lost = {
          code: 'CL_ERR_STORE' as const,
          message: `the report thread stopped: ${error.message}`,
        };
        for (const [id, waiting] of this.#waiting) {
          clearTimeout(waiting.timer);
          waiting.settle({ id, error: lost });
        }
        this.#waiting.clear();
      };
      worker.once('error', fail);
      worker.once('exit', (code) => fail(new Error(`exit code ${code}`)));
    });
    this.#worker = starting;
    return starting;
  }
}
