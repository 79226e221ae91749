/**
 * The report thread: its own read connection to the store, so that a forecast's seconds of
 * arithmetic never stop the HTTP thread from answering the collector.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isClosedloopError } from '../../core/errors.js';
import { openSqliteStore } from '../../store/sqlite/open.js';
import { computeReport } from './runner.js';
import type { ReportReply, ReportRequestMessage } from './worker-reports.js';

const port = parentPort;
if (port === null) throw new Error('report-worker.js runs as a worker thread');
const store = await openSqliteStore((workerData as { dbPath: string }).dbPath);

// One report at a time, each announced as it starts: the time limit counts its own computing,
// not the time it waited behind another. (The server sends one at a time, choosing the next
// workspace by workspace; this queue only keeps the order if it ever sends more.)
let queue: Promise<unknown> = Promise.resolve();
port.on('message', (message: ReportRequestMessage) => {
  queue = queue.then(() => run(message));
});

function run(message: ReportRequestMessage): Promise<void> {
  port?.postMessage({ id: message.id, started: true } satisfies ReportReply);
  return computeReport(store, message.kind, message.workspace, message.request).then(
    (result) => port?.postMessage({ id: message.id, result } satisfies ReportReply),
    (error: unknown) => {
      // What failed inside goes to the server's log, not to the client.
      if (!isClosedloopError(error)) {
        const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
        process.stderr.write(`closedloop: the ${message.kind} report failed: ${detail}\n`);
      }
      port?.postMessage({
        id: message.id,
        error: isClosedloopError(error)
          ? { code: error.code, message: error.message }
          : { code: 'CL_ERR_INTERNAL', message: 'the server failed; the request can be retried' },
      } satisfies ReportReply);
    },
  );
}
port.postMessage({ id: 0 } satisfies ReportReply);
