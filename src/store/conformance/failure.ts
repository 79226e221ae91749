import { expect } from 'vitest';
import { ClosedloopError } from '../../core/errors.js';

/** The ClosedloopError a promise rejects with (the test fails if it resolves or throws another). */
export async function failure(promise: Promise<unknown>): Promise<ClosedloopError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(ClosedloopError);
  return outcome as ClosedloopError;
}
