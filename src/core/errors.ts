/**
 * The one registry of Closedloop's error codes. Codes are stable: users search for them, scripts
 * match on them. `kind` decides the CLI exit code (input → 1, failure → 2) and the HTTP family.
 */
export const errorCodes = {
  CL_ERR_USAGE: { kind: 'input', summary: 'a command-line flag is missing or malformed' },
  CL_ERR_CONFIG: { kind: 'input', summary: 'a configuration value is invalid' },
  CL_ERR_FILE_NOT_FOUND: { kind: 'input', summary: 'an input file does not exist' },
  CL_ERR_FILE_READ: { kind: 'failure', summary: 'an input file could not be read' },
  CL_ERR_CSV_HEADER: { kind: 'input', summary: 'a CSV header lacks a required column' },
  CL_ERR_CSV_FIELD: { kind: 'input', summary: 'a CSV field holds a value of the wrong shape' },
  CL_ERR_CSV_SYNTAX: { kind: 'input', summary: 'a CSV file is not well formed' },
  CL_ERR_UNKNOWN_MODEL: { kind: 'input', summary: 'an attribution model name is not known' },
  CL_ERR_MODEL_INPUT: { kind: 'input', summary: 'the input lacks what a model needs' },
  CL_ERR_MODEL_OPTION: { kind: 'input', summary: 'a model option is out of range' },
  CL_ERR_CHANNEL_RULE: { kind: 'input', summary: 'a custom channel rule is malformed' },
  CL_ERR_UNKNOWN_WORKSPACE: { kind: 'input', summary: 'no workspace has that id or name' },
  CL_ERR_IDENTITY: { kind: 'input', summary: 'an identity claim holds no email or user id' },
  CL_ERR_STORE: { kind: 'failure', summary: 'the store could not be opened, read or written' },
  CL_ERR_STORE_SCHEMA: {
    kind: 'failure',
    summary: 'the store was written by a newer or different Closedloop',
  },
  CL_ERR_AUTH: { kind: 'input', summary: 'an API key is missing or unknown' },
  CL_ERR_EVENT_INVALID: { kind: 'input', summary: 'a collected event does not match its schema' },
  CL_ERR_PAYLOAD_TOO_LARGE: { kind: 'input', summary: 'a request body is over the size limit' },
  CL_ERR_DEAL_INVALID: {
    kind: 'input',
    summary: 'a deal sent to the API or a webhook is malformed',
  },
  CL_ERR_BUSY: {
    kind: 'failure',
    summary:
      'the server has too much work waiting, or another connection locks the store; retry later',
  },
  CL_ERR_TIME_LIMIT: {
    kind: 'failure',
    summary: 'a report took longer than the server allows; ask for less',
  },
  CL_ERR_OUTPUT: { kind: 'failure', summary: 'the output could not be written (a full disk)' },
  CL_ERR_LISTEN: {
    kind: 'failure',
    summary: 'the server cannot listen where asked (port taken, host unknown)',
  },
  CL_ERR_NOT_FOUND: { kind: 'input', summary: 'the thing asked for does not exist' },
  CL_ERR_METHOD: { kind: 'input', summary: 'the route exists but takes other HTTP methods' },
  CL_ERR_INTERNAL: { kind: 'failure', summary: 'an unexpected internal failure' },
} as const satisfies Record<string, { kind: 'input' | 'failure'; summary: string }>;

export type ErrorCode = keyof typeof errorCodes;

export class ClosedloopError extends Error {
  override readonly name = 'ClosedloopError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  get kind(): 'input' | 'failure' {
    return errorCodes[this.code].kind;
  }
}

export function isClosedloopError(error: unknown): error is ClosedloopError {
  return error instanceof ClosedloopError;
}
