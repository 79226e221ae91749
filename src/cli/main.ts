#!/usr/bin/env node
import { exitCodes } from './exit.js';
import { main } from './program.js';

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  // A closed pipe (`| head`) is the reader's choice, not a failure.
  if (error.code === 'EPIPE') process.exit(exitCodes.ok);
  throw error;
});

process.exitCode = await main(process.argv);
