/**
 * The preparing thread: parses, checks and normalizes large bodies (batches) beside the HTTP
 * thread, which then only stores their events. It holds no store and no state.
 */
import { parentPort } from 'node:worker_threads';
import { isClosedloopError } from '../core/errors.js';
import { prepareDelivery } from './deliveries.js';
import type { PrepareReply, PrepareRequest } from './prepare-thread.js';

const port = parentPort;
if (port === null) throw new Error('prepare-worker.js runs as a worker thread');

port.on('message', ({ id, delivery }: PrepareRequest) => {
  let reply: PrepareReply;
  try {
    reply = { id, prepared: prepareDelivery(delivery) };
  } catch (error) {
    // A refusal names the field; what else failed inside is no business of the client's.
    const failure = isClosedloopError(error)
      ? { code: error.code, message: error.message }
      : {
          code: 'CL_ERR_INTERNAL' as const,
          message: 'preparing the body failed; the request can be retried',
        };
    reply = { id, error: failure };
  }
  port.postMessage(reply);
});
