import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ClosedloopError } from '../../core/errors.js';
import { createOwnerOnlyFile } from './owner-only-file.js';

/** Held while a server uses a database file; released by `release` or by the process ending. */
export interface ServerLock {
  release(): void;
}

/**
 * The file beside the database whose lock says that a server uses it: beside the real file, so a
 * symbolic link or another spelling of its path meets the same lock.
 */
export function serverLockPathOf(dbPath: string): string {
  const path = resolve(dbPath);
  // A database not made yet: its folder may exist under another name.
  const real = existsSync(path)
    ? realpathSync(path)
    : existsSync(dirname(path))
      ? join(realpathSync(dirname(path)), basename(path))
      : path;
  return `${real}-server.lock`;
}

/**
 * Claims a SQLite file for this server alone. Two servers on one file would each keep their own
 * picture of the visitors' current sessions and check retries outside each other's transactions,
 * so a page view could open two sessions or a form submit count twice: the second is refused.
 * The claim is an open exclusive transaction on a small file beside the database: the operating
 * system drops it when the process ends, however it ends, so a killed server leaves no stale lock.
 * Commands that only read, import or configure do not claim the file.
 */
export function claimForServer(dbPath: string): ServerLock {
  let lockPath = `${dbPath}-server.lock`;
  let db: Database.Database | undefined;
  try {
    lockPath = serverLockPathOf(dbPath);
    // The store's modes (open.ts): these folders come before it, and are its owner's alone.
    mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 });
    createOwnerOnlyFile(lockPath);
    db = new Database(lockPath, { timeout: 0 });
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db?.close();
    const busy = (error as { code?: string }).code === 'SQLITE_BUSY';
    throw new ClosedloopError(
      'CL_ERR_STORE',
      busy
        ? `--db: ${dbPath} is used by another closedloop server (one server per file): stop it, or serve another file`
        : `--db: ${dbPath}: cannot claim ${lockPath} (${(error as Error).message})`,
    );
  }
  const held = db;
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      held.close();
    },
  };
}
