import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ClosedloopError } from '../../core/errors.js';

/** Held while a server uses a database file; released by `release` or by the process ending. */
export interface ServerLock {
  release(): void;
}

/** The file beside the database whose lock says that a server uses it. */
export const serverLockPathOf = (dbPath: string) => `${resolve(dbPath)}-server.lock`;

/**
 * Claims a SQLite file for this server alone. Two servers on one file would each keep their own
 * picture of the visitors' current sessions and check retries outside each other's transactions,
 * so a page view could open two sessions or a form submit count twice: the second is refused.
 * The claim is an open exclusive transaction on a small file beside the database: the operating
 * system drops it when the process ends, however it ends, so a killed server leaves no stale lock.
 * Commands that only read, import or configure do not claim the file.
 */
export function claimForServer(dbPath: string): ServerLock {
  const lockPath = serverLockPathOf(dbPath);
  let db: Database.Database | undefined;
  try {
    mkdirSync(dirname(lockPath), { recursive: true });
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
