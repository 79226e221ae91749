/**
 * The checkpointing thread (see `checkpointer.ts`): copies the WAL's committed pages into the
 * database file on a connection of its own, so that the writer's event loop never does it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointerData, CheckpointReply, CheckpointRequest } from './checkpointer.js';

const port = parentPort;
if (port === null) throw new Error('checkpoint-worker.js runs as a worker thread');
const { path, busyTimeoutMs } = workerData as CheckpointerData;
const db = new Database(path, { timeout: busyTimeoutMs });

port.on('message', (request: CheckpointRequest) => {
  if (request === 'close') {
    db.close();
    port.close();
    return;
  }
  let reply: CheckpointReply;
  try {
    // PASSIVE never waits and never makes the writer wait: it copies what no reader still needs.
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as {
      busy: number;
      log: number;
      checkpointed: number;
    }[];
    reply = { walFrames: result?.log ?? 0, copiedFrames: result?.checkpointed ?? 0 };
  } catch (error) {
    reply = { error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
