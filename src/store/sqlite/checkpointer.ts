import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface CheckpointerData {
  readonly path: string;
  readonly busyTimeoutMs: number;
}

export type CheckpointRequest = 'checkpoint' | 'close';

/** The WAL's length in frames and how many of them are in the database file. */
export type CheckpointReply =
  | { readonly walFrames: number; readonly copiedFrames: number }
  | { readonly error: string };

/**
 * Checkpoints of a busy writer's WAL, run in a thread of their own. SQLite's automatic checkpoint
 * runs inside the commit that crosses its threshold: on the collector's connection, the event
 * loop copied about 4 MB into the database file and waited for its fsync, stalling every request
 * for 10–20 ms every thousand pages. Here a helper thread copies the pages (PASSIVE: it never
 * blocks the writer) at most every `everyMs` while commits come, and the writer's own automatic
 * checkpoint stays as a backstop at a higher threshold. SQLite restarts the WAL only once all of it
 * is copied, which a copy rarely achieves while commits keep landing: under sustained load the
 * backstop restarts it (about 16 MB), copying only what the helper has not.
 */
export interface Checkpointer {
  /** Says a commit was made: starts a checkpoint unless one ran within `everyMs` or is running. */
  nudge(): void;
  /** Runs a checkpoint now (after the running one) and tells its outcome. */
  checkpoint(): Promise<CheckpointReply>;
  /** Closes the helper's connection and ends the thread. */
  close(): Promise<void>;
}

/** The writer's own automatic checkpoint, in pages, with a helper doing the usual ones. */
export const backstopCheckpointPages = 4000;

const workerUrl = new URL('./checkpoint-worker.js', import.meta.url);

export interface CheckpointerOptions {
  /** The least time between two checkpoints started by `nudge`. */
  readonly everyMs?: number;
  readonly now?: () => number;
  /** Told once, why, when the thread stops other than by `close`. */
  readonly onStopped?: (why: string) => void;
}

/**
 * Starts the helper thread for the database at `path`; undefined where the compiled worker is
 * not beside this module (sources run by the test runner), which leaves SQLite's own checkpoints.
 */
export function startCheckpointer(
  data: CheckpointerData,
  { everyMs = 200, now = Date.now, onStopped }: CheckpointerOptions = {},
): Checkpointer | undefined {
  if (!existsSync(fileURLToPath(workerUrl))) return undefined;
  const worker = new Worker(workerUrl, { workerData: data });
  // Checkpoints are housekeeping: they never keep the process alive (until `close` is called).
  worker.unref();
  const waiting: ((reply: CheckpointReply) => void)[] = [];
  let stopped: string | undefined;
  let closing = false;
  let lastEnded = Number.NEGATIVE_INFINITY;
  const stop = (why: string) => {
    if (stopped !== undefined) return;
    stopped = why;
    for (const resolve of waiting.splice(0)) {
      resolve({ error: `the checkpoint thread stopped: ${why}` });
    }
    if (!closing) onStopped?.(why);
  };
  worker.on('message', (reply: CheckpointReply) => {
    lastEnded = now();
    waiting.shift()?.(reply);
  });
  worker.on('error', (error) => stop(error.message));
  worker.on('exit', (code) => stop(`exit code ${code}`));
  const checkpoint = () =>
    new Promise<CheckpointReply>((resolve) => {
      if (stopped !== undefined) {
        resolve({ error: `the checkpoint thread stopped: ${stopped}` });
        return;
      }
      waiting.push(resolve);
      worker.postMessage('checkpoint' satisfies CheckpointRequest);
    });
  return {
    nudge() {
      if (stopped !== undefined || waiting.length > 0 || now() - lastEnded < everyMs) return;
      void checkpoint();
    },
    checkpoint,
    async close() {
      if (stopped !== undefined) return;
      closing = true;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      // Held until the thread has closed its connection: the process must not end first.
      worker.ref();
      worker.postMessage('close' satisfies CheckpointRequest);
      await exited;
    },
  };
}
