import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ClosedloopError } from '../../core/errors.js';
import type { EventStore, StateStore } from '../ports.js';
import { createSqliteEventStore } from './event-store.js';
import { storeFailure } from './failures.js';
import { migrate } from './migrations.js';
import { createSqliteStateStore } from './state-store.js';

/** Both ports on one SQLite file: the default engine, zero set-up. */
export interface SqliteStore {
  readonly events: EventStore;
  readonly state: StateStore;
  /** The connection itself, for tests and maintenance; the ports are the way to the data. */
  readonly db: Database.Database;
  /** Closes the connection (and so both ports). */
  close(): Promise<void>;
}

/** Milliseconds a writer waits for another process's write lock before CL_ERR_STORE. */
export const busyTimeoutMs = 5000;

/**
 * Opens (creating it and its folder when missing) and migrates the store at `path`; `:memory:`
 * gives a private store that vanishes on close. One connection serves both ports, so their
 * writes are serialised in this process and other processes wait on the busy timeout.
 */
export async function openSqliteStore(path: string): Promise<SqliteStore> {
  const db = openConnection(path);
  try {
    migrate(db);
  } catch (error) {
    db.close();
    throw storeFailure(`migrate ${path}`, error);
  }

  const closeConnection = () => {
    if (!db.open) return;
    db.pragma('optimize');
    db.close();
  };
  // Each port may be closed on its own; the connection goes when both are.
  let openPorts = 2;
  const release = () => {
    openPorts -= 1;
    if (openPorts === 0) closeConnection();
  };
  return {
    events: createSqliteEventStore(db, release),
    state: createSqliteStateStore(db, release),
    db,
    close: async () => {
      try {
        closeConnection();
      } catch (error) {
        throw storeFailure(`close ${path}`, error);
      }
    },
  };
}

function openConnection(path: string): Database.Database {
  const inMemory = path === ':memory:' || path === '';
  let db: Database.Database | undefined;
  try {
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { timeout: busyTimeoutMs });
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // WAL: readers never block the writer, and a commit appends to one file.
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (!inMemory && mode !== 'wal') {
      throw new ClosedloopError('CL_ERR_STORE', `${path}: the file system refuses WAL mode`);
    }
    // FULL: each commit fsyncs the WAL before the collector acknowledges. In WAL mode NORMAL
    // already survives a killed process (the commit has reached the OS); FULL also survives an OS
    // crash or power cut, for one fsync per batch, which batching keeps affordable.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (error) {
    db?.close();
    throw storeFailure(`open ${path}`, error);
  }
}
