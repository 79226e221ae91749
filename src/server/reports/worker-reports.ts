import { Worker } from 'node:worker_threads';
import { busyRetryAfterSeconds } from '../../collect/deliveries.js';
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

/**
 * The reports a workspace may have waiting or computing on one `WorkerReports` at a time, as
 * `serve` sets it: a dashboard asks for a handful at once, and more only queue up behind them.
 */
export const defaultMaxReportsPerWorkspace = 4;

export interface WorkerReportsOptions {
  /**
   * Longest a report may compute, from its start (default: no limit; the thread computes one
   * report at a time, and time spent waiting behind another does not count). Past it the report
   * fails (CL_ERR_TIME_LIMIT) and its thread is stopped, the only way to stop arithmetic; the
   * reports waiting there start again on a new thread.
   */
  readonly timeLimitMs?: number;
  /**
   * Most reports one workspace may have waiting or computing (default: no limit; `serve` passes
   * `defaultMaxReportsPerWorkspace`). Past it a report is refused at once (CL_ERR_BUSY, which the
   * app answers with 503 and Retry-After), so that one workspace's burst neither grows the queue
   * without end nor keeps its reports there for minutes.
   */
  readonly maxReportsPerWorkspace?: number;
}

interface Waiting {
  readonly message: ReportRequestMessage;
  readonly settle: (reply: ReportReply) => void;
  readonly fail: (error: unknown) => void;
  timer?: NodeJS.Timeout;
}

/**
 * Reports computed in a thread of their own, on its own connection to the SQLite file (WAL lets
 * it read while the collector writes). The thread gets one report at a time, taken from the
 * workspaces in turn: a workspace that sends twenty reports at once waits behind its own, and
 * the others' come between them. If the thread dies, the report it held fails and the next one
 * starts a new thread.
 */
export class WorkerReports implements ReportRunner {
  readonly #dbPath: string;
  readonly #timeLimitMs: number | undefined;
  readonly #maxPerWorkspace: number;
  /**
   * The workspaces whose turn is to come, in order, each with its reports in the order sent. The
   * workspace being served is not here: it goes to the back when its report ends.
   */
  readonly #turns = new Map<string, Waiting[]>();
  /** The report taken for the thread (being sent or computing), and its workspace's next ones. */
  #current: { readonly waiting: Waiting; readonly next: Waiting[] } | undefined;
  #worker: Promise<Worker> | undefined;
  #closed = false;
  #nextId = 1;

  constructor(dbPath: string, options: WorkerReportsOptions = {}) {
    this.#dbPath = dbPath;
    this.#timeLimitMs = options.timeLimitMs;
    this.#maxPerWorkspace = options.maxReportsPerWorkspace ?? Number.POSITIVE_INFINITY;
  }

  async run<K extends ReportKind>(
    kind: K,
    workspace: Workspace,
    request: ReportKinds[K]['request'],
  ): Promise<ReportKinds[K]['result']> {
    if (this.#closed) throw new ClosedloopError('CL_ERR_STORE', 'the reports are closed');
    const held = this.#held(workspace.id);
    if (held >= this.#maxPerWorkspace) {
      throw new ClosedloopError(
        'CL_ERR_BUSY',
        `this workspace has ${held} reports waiting or computing (limit ${this.#maxPerWorkspace}); nothing was computed, retry after ${busyRetryAfterSeconds} s`,
      );
    }
    const message = { id: this.#nextId++, kind, workspace, request };
    const reply = await new Promise<ReportReply>((settle, fail) => {
      this.#enqueue({ message, settle, fail });
      this.#next();
    });
    if (reply.error !== undefined) throw new ClosedloopError(reply.error.code, reply.error.message);
    return reply.result as ReportKinds[K]['result'];
  }

  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    const closed = new ClosedloopError('CL_ERR_STORE', 'the reports are closed');
    for (const waiting of this.#drain()) {
      clearTimeout(waiting.timer);
      waiting.fail(closed);
    }
    if (worker !== undefined) await (await worker).terminate();
  }

  /** How many reports the workspace has waiting or computing. */
  #held(workspaceId: string): number {
    const current = this.#current;
    const serving =
      current !== undefined && current.waiting.message.workspace.id === workspaceId
        ? 1 + current.next.length
        : 0;
    return (this.#turns.get(workspaceId)?.length ?? 0) + serving;
  }

  #enqueue(waiting: Waiting): void {
    const workspaceId = waiting.message.workspace.id;
    const current = this.#current;
    if (current?.waiting.message.workspace.id === workspaceId) {
      current.next.push(waiting);
      return;
    }
    const queue = this.#turns.get(workspaceId);
    if (queue === undefined) this.#turns.set(workspaceId, [waiting]);
    else queue.push(waiting);
  }

  /** Every report taken off the queues, the current one first. */
  #drain(): Waiting[] {
    const all = this.#current === undefined ? [] : [this.#current.waiting, ...this.#current.next];
    this.#current = undefined;
    for (const queue of this.#turns.values()) all.push(...queue);
    this.#turns.clear();
    return all;
  }

  /** Sends the next workspace's next report to the thread, if the thread has none. */
  #next(): void {
    if (this.#current !== undefined || this.#closed) return;
    const turn = this.#turns.entries().next();
    if (turn.done === true) return;
    const [workspaceId, queue] = turn.value;
    this.#turns.delete(workspaceId);
    const waiting = queue.shift();
    if (waiting === undefined) return;
    const current = { waiting, next: queue };
    this.#current = current;
    this.#send(waiting).catch((error: unknown) => {
      if (this.#current !== current) return;
      // No thread would start: what waits for one fails with it, as it did together before.
      for (const failed of this.#drain()) failed.fail(error);
    });
  }

  /** Ends the current report, puts its workspace at the back of the turns, and starts the next. */
  #end(waiting: Waiting, reply: ReportReply): void {
    const current = this.#current;
    if (current?.waiting !== waiting) return;
    clearTimeout(waiting.timer);
    this.#current = undefined;
    // Behind every workspace that waits, those that came while it was served too.
    if (current.next.length > 0) this.#turns.set(waiting.message.workspace.id, current.next);
    waiting.settle(reply);
    this.#next();
  }

  async #send(waiting: Waiting): Promise<void> {
    let worker: Worker | undefined;
    while (worker === undefined) {
      if (this.#closed) throw new ClosedloopError('CL_ERR_STORE', 'the reports are closed');
      const starting = this.#ready();
      const started = await starting;
      // Stopped while starting (closed, or it died): take the next one.
      if (this.#worker === starting) worker = started;
    }
    if (this.#current?.waiting !== waiting) return;
    worker.postMessage(waiting.message satisfies ReportRequestMessage);
  }

  /** The time limit counts from the start of the report's own computing. */
  #started(waiting: Waiting): void {
    if (this.#timeLimitMs === undefined) return;
    clearTimeout(waiting.timer);
    waiting.timer = setTimeout(() => this.#timedOut(waiting), this.#timeLimitMs);
  }

  /** Fails the report, stops its thread, and starts the others on a new one. */
  #timedOut(late: Waiting): void {
    if (this.#current?.waiting !== late) return;
    const seconds = ((this.#timeLimitMs ?? 0) / 1000).toLocaleString('en');
    const stopped = this.#worker;
    this.#worker = undefined;
    void stopped?.then((worker) => worker.terminate());
    this.#end(late, {
      id: late.message.id,
      error: {
        code: 'CL_ERR_TIME_LIMIT',
        message: `the ${late.message.kind} report took longer than ${seconds} s, the server's limit (serve --report-time-limit): ask for less, such as a shorter span or fewer as-of dates`,
      },
    });
  }

  #ready(): Promise<Worker> {
    if (this.#worker !== undefined) return this.#worker;
    const starting = new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(new URL('./report-worker.js', import.meta.url), {
        workerData: { dbPath: this.#dbPath },
      });
      let ready = false;
      // A thread stopped for its time limit may still speak, or die: it no longer counts.
      const current = () => this.#worker === starting;
      worker.on('message', (reply: ReportReply) => {
        if (reply.id === 0) {
          ready = true;
          resolve(worker);
          return;
        }
        if (!current()) return;
        const waiting = this.#current?.waiting;
        if (waiting === undefined || waiting.message.id !== reply.id) return;
        if (reply.started === true) {
          this.#started(waiting);
          return;
        }
        this.#end(waiting, reply);
      });
      const fail = (error: Error) => {
        reject(error);
        if (!current()) return;
        this.#worker = undefined;
        // Dead before it was ready: the report being sent fails with the start (see #next).
        const waiting = this.#current?.waiting;
        if (!ready || waiting === undefined) return;
        this.#end(waiting, {
          id: waiting.message.id,
          error: { code: 'CL_ERR_STORE', message: `the report thread stopped: ${error.message}` },
        });
      };
      worker.once('error', fail);
      worker.once('exit', (code) => fail(new Error(`exit code ${code}`)));
    });
    this.#worker = starting;
    return starting;
  }
}
