/**
 * The writer thread: owns the store connection that ingests, so that SQLite's work — statements,
 * commits, their fsync — runs beside the HTTP thread instead of stopping it. It receives
 * normalized events, or whole deliveries to parse and check first, and answers once they are
 * committed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createChannelClassifier } from '../core/channels/classify.js';
import { isClosedloopError } from '../core/errors.js';
import { openSqliteStore } from '../store/sqlite/open.js';
import { deliveryHandler } from './deliveries.js';
import { Ingestor } from './ingest.js';
import type { WorkerReply, WorkerRequest } from './worker-ingestor.js';

const port = parentPort;
if (port === null) throw new Error('ingest-worker.js runs as a worker thread');
// Its commits are made durable by the ingestor, one fsync for many, off this thread's loop.
const store = await openSqliteStore((workerData as { dbPath: string }).dbPath, { deferSync: true });
const classifier = createChannelClassifier();
const ingestor = new Ingestor({
  events: store.events,
  state: store.state,
  classifierFor: () => classifier,
});
const deliver = deliveryHandler(store.state, ingestor);

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
  if (request.kind === 'jobs') {
    for (const job of request.jobs) {
      const fail = (error: unknown) => reply({ id: job.id, error: failure(error) });
      if (job.kind === 'submit') {
        ingestor
          .submit(job.workspace, job.events)
          .then((outcome) => reply({ id: job.id, outcome }), fail);
      } else {
        deliver(job.delivery).then((answer) => reply({ id: job.id, answer }), fail);
      }
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
