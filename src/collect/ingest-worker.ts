/**
 * The writer thread: owns the store connection that ingests, so that SQLite's work — statements,
 * commits, their fsync — runs beside the HTTP thread instead of stopping it. It receives
 * validated, normalized events and answers with what was stored.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createChannelClassifier } from '../core/channels/classify.js';
import { isClosedloopError } from '../core/errors.js';
import { openSqliteStore } from '../store/sqlite/open.js';
import { Ingestor } from './ingest.js';
import type { WorkerReply, WorkerRequest } from './worker-ingestor.js';

const port = parentPort;
if (port === null) throw new Error('ingest-worker.js runs as a worker thread');
const store = await openSqliteStore((workerData as { dbPath: string }).dbPath);
const classifier = createChannelClassifier();
const ingestor = new Ingestor({
  events: store.events,
  state: store.state,
  classifierFor: () => classifier,
});

let outbox: WorkerReply[] = [];
/** Replies settled in one turn leave together, in one message. */
const reply = (message: WorkerReply) => {
  if (outbox.length === 0) {
    setImmediate(() => {
      port.postMessage(outbox);
      outbox = [];
    });
  }
  outbox.push(message);
};
const failure = (error: unknown) =>
  isClosedloopError(error)
    ? { code: error.code, message: error.message }
    : {
        code: 'CL_ERR_INTERNAL' as const,
        message: error instanceof Error ? error.message : String(error),
      };

port.on('message', (request: WorkerRequest) => {
  if (request.kind === 'submit') {
    for (const { id, workspace, events } of request.submissions) {
      ingestor.submit(workspace, events).then(
        (outcome) => reply({ id, outcome }),
        (error: unknown) => reply({ id, error: failure(error) }),
      );
    }
    return;
  }
  const done =
    request.kind === 'close' ? ingestor.close().then(() => store.close()) : ingestor.flush();
  done.then(
    () => reply({ id: request.id }),
    (error: unknown) => reply({ id: request.id, error: failure(error) }),
  );
});
reply({ id: 0 });
