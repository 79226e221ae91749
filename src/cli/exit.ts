import { ClosedloopError, isClosedloopError } from '../core/errors.js';

/** Exit codes: 0 success, 1 bad input, 2 failure of the program or its environment. */
export const exitCodes = { ok: 0, badInput: 1, failure: 2 } as const;

/** Writes the one line a failed command leaves on stderr, and returns its exit code. */
export function reportError(error: unknown): number {
  const failure = isClosedloopError(error)
    ? error
    : new ClosedloopError(
        'CL_ERR_INTERNAL',
        error instanceof Error ? error.message : String(error),
      );
  process.stderr.write(`closedloop: ${failure.code}: ${oneLine(failure.message)}\n`);
  return failure.kind === 'input' ? exitCodes.badInput : exitCodes.failure;
}

/**
 * The message on one line, as scripts read stderr line by line: a quoted parser message (JSON's
 * quotes the file's own lines) would otherwise spill over several.
 */
export function oneLine(message: string): string {
  return message.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ').trim();
}

/**
 * The same error with the flag the user typed in place of the store's field name
 * (`timeZone: …` becomes `--time-zone: …`); any other error as it is.
 */
export function namedByFlag(error: unknown, flags: Readonly<Record<string, string>>): unknown {
  if (!isClosedloopError(error)) return error;
  for (const [field, flag] of Object.entries(flags)) {
    if (error.message.startsWith(`${field}:`)) {
      return new ClosedloopError(error.code, `${flag}${error.message.slice(field.length)}`);
    }
  }
  return error;
}
