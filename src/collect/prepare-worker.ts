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
    reply = isClosedloopError(error)
      ? { id, error: { code: error.code, message: error.message } }
      : { id, error: { code: 'CL_ERR_INTERNAL', message: String(error) } };
  }
  port.postMessage(reply);
});
