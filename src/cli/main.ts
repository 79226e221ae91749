#!/usr/bin/env node
import { ClosedloopError } from '../core/errors.js';
import { exitCodes, reportError } from './exit.js';
import { main } from './program.js';

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  // A closed pipe (`| head`) is the reader's choice, not a failure.
  if (error.code === 'EPIPE') process.exit(exitCodes.ok);
  // Output that cannot be written (a full disk) fails the command: one line, not a stack trace.
  const problem =
    error.syscall === undefined ? error.message : error.message.replace(`, ${error.syscall}`, '');
  process.exit(reportError(new ClosedloopError('CL_ERR_OUTPUT', `stdout: ${problem}`)));
});

process.exitCode = await main(process.argv);
