import { ClosedloopError, isClosedloopError } from '../../core/errors.js';

/**
 * Any error of the engine (a full disk, a closed connection) as CL_ERR_STORE; a lock another
 * connection held past the busy timeout as CL_ERR_BUSY: the store is busy, not broken, and the
 * work can be asked for again (the server answers 503 with Retry-After).
 */
export function storeFailure(action: string, error: unknown): ClosedloopError {
  if (isClosedloopError(error)) return error;
  if ((error as { code?: unknown } | null)?.code === 'SQLITE_BUSY') {
    return new ClosedloopError(
      'CL_ERR_BUSY',
      'the database is locked by another connection; retry later',
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new ClosedloopError('CL_ERR_STORE', `${action}: ${detail}`);
}

/** Runs a synchronous store call behind the async port, its errors translated. */
export async function guarded<T>(action: string, work: () => T): Promise<T> {
  try {
    return work();
  } catch (error) {
    throw storeFailure(action, error);
  }
}

/** A port's close: lets go of its share of the connection once; later calls do nothing. */
export function closeOnce(release: () => void): () => Promise<void> {
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    try {
      release();
    } catch (error) {
      throw storeFailure('close', error);
    }
  };
}
