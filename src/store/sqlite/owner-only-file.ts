import { closeSync, openSync } from 'node:fs';

/**
 * Creates `path` readable by its owner alone, unless it exists. Never opens an existing file: on
 * POSIX, closing any descriptor of a file drops every lock the process holds on it, SQLite's
 * included, and a connection whose locks are gone lets another process delete the WAL it writes.
 */
export function createOwnerOnlyFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
