import { mkdirSync, realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ClosedloopError } from '../../core/errors.js';
import type { EventStore, StateStore } from '../ports.js';
import { backstopCheckpointPages, type Checkpointer, startCheckpointer } from './checkpointer.js';
import { createSqliteEventStore } from './event-store.js';
import { storeFailure } from './failures.js';
import { migrate } from './migrations.js';
import { createOwnerOnlyFile } from './owner-only-file.js';
import { createSqliteStateStore } from './state-store.js';
import { keptOpen, type SyncedFile, walSync } from './wal-sync.js';

/** Both ports on one SQLite file: the default engine, zero set-up. */
export interface SqliteStore {
  readonly events: EventStore;
  readonly state: StateStore;
  /** The connection itself, for tests and maintenance; the ports are the way to the data. */
  readonly db: Database.Database;
  /** The helper thread checkpointing the WAL, when asked for and running. */
  readonly checkpointer?: Checkpointer;
  /** Closes the connection (and so both ports). */
  close(): Promise<void>;
}

/** SQLite's own automatic checkpoint threshold, in pages. */
const sqliteCheckpointPages = 1000;

/** Milliseconds a writer waits for another process's write lock before CL_ERR_STORE. */
export const busyTimeoutMs = 5000;

export interface SqliteStoreOptions {
  /**
   * Commit without syncing and leave the sync to `events.durable()`, one fsync of the WAL for
   * every commit before it, off the event loop (see `wal-sync.ts`). For a connection whose every
   * write is acknowledged through `durable()`: the collector's. Ignored for `:memory:`.
   */
  readonly deferSync?: boolean;
  /**
   * Where the WAL is copied into the database file (see `checkpointer.ts`); ignored for
   * `:memory:`. By default SQLite does it inside the commit that takes the WAL past 1,000 pages.
   * `helper`: a helper thread does it, and this connection's own checkpoint is only a backstop
   * (for a writer whose event loop serves requests). `beside-helper`: another connection of this
   * process has the helper, and this one keeps the same backstop, so that its few writes do not
   * do the helper's work inside a request.
   */
  readonly checkpoints?: 'helper' | 'beside-helper';
}

/**
 * Opens (creating it and its folder when missing) and migrates the store at `path`; `:memory:`
 * gives a private store that vanishes on close. One connection serves both ports, so their
 * writes are serialised in this process and other processes wait on the busy timeout.
 */
export async function openSqliteStore(
  path: string,
  options: SqliteStoreOptions = {},
): Promise<SqliteStore> {
  const inMemory = isInMemory(path);
  const deferSync = options.deferSync === true && !inMemory;
  const db = openConnection(path, deferSync);
  try {
    migrate(db);
  } catch (error) {
    db.close();
    throw storeFailure(`migrate ${path}`, error);
  }

  const wal = deferSync ? keptOpen(walPathOf(path)) : undefined;
  const checkpoints = inMemory ? undefined : options.checkpoints;
  const checkpointer =
    checkpoints === 'helper'
      ? startCheckpointer(
          { path: realpathSync(path), busyTimeoutMs },
          {
            // Back to SQLite's own checkpoints, and said once: the WAL stays short either way.
            onStopped: (why) => {
              if (db.open) db.pragma(`wal_autocheckpoint = ${sqliteCheckpointPages}`);
              process.emitWarning(
                `${path}: WAL checkpoints are made in the commits again (the checkpoint thread stopped: ${why})`,
              );
            },
          },
        )
      : undefined;
  if (checkpointer !== undefined || checkpoints === 'beside-helper') {
    db.pragma(`wal_autocheckpoint = ${backstopCheckpointPages}`);
  }
  const closeConnection = () => {
    if (!db.open) return;
    void checkpointer?.close();
    try {
      // Statistics for the planner: worth a write, never a failed close (a read-only file).
      db.pragma('optimize');
    } catch {}
    db.close();
    wal?.close();
  };
  // Each port may be closed on its own; the connection goes when both are.
  let openPorts = 2;
  const release = () => {
    openPorts -= 1;
    if (openPorts === 0) closeConnection();
  };
  return {
    events: createSqliteEventStore(db, release, durableOf(wal, checkpointer)),
    state: createSqliteStateStore(db, release),
    db,
    checkpointer,
    close: async () => {
      try {
        await checkpointer?.close();
        closeConnection();
      } catch (error) {
        throw storeFailure(`close ${path}`, error);
      }
    },
  };
}

const isInMemory = (path: string) => path === ':memory:' || path === '';

/** The WAL SQLite writes for the file at `path`: it names it after the file a link points to. */
export const walPathOf = (path: string) => `${realpathSync(path)}-wal`;

/** What makes a commit durable: the WAL's sync, which also tells the checkpointer of the commit. */
function durableOf(
  wal: SyncedFile | undefined,
  checkpointer: Checkpointer | undefined,
): (() => Promise<void>) | undefined {
  if (wal === undefined) return undefined;
  const durable = durableWal(wal);
  if (checkpointer === undefined) return durable;
  return () => {
    checkpointer.nudge();
    return durable();
  };
}

/**
 * After a failed sync the kernel may have dropped the pages it could not write, and a later sync
 * would succeed without them: so every later call fails too, and nothing more is acknowledged
 * until the server restarts and SQLite reads back what the disk really holds.
 */
export function durableWal(wal: SyncedFile): () => Promise<void> {
  const sync = walSync(() => wal.sync());
  let failed: ClosedloopError | undefined;
  return () => {
    if (failed !== undefined) return Promise.reject(failed);
    return sync().catch((error: unknown) => {
      failed ??= storeFailure('sync the WAL (restart the server)', error);
      throw failed;
    });
  };
}

/**
 * A database of another program (tables, but no record of Closedloop's migrations) is left
 * untouched: migrating it would add Closedloop's tables to it, and WAL mode would stay on it.
 */
function refuseAnotherProgramsFile(db: Database.Database, path: string): void {
  const tables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .all()
    .map((table) => table.name);
  if (tables.length > 0 && !tables.includes('schema_migrations')) {
    throw new ClosedloopError(
      'CL_ERR_STORE',
      `${path}: the file is another program's database (tables ${tables.slice(0, 3).join(', ')}${tables.length > 3 ? ', …' : ''}, no Closedloop schema); give --db a new file or a Closedloop one`,
    );
  }
}

/**
 * A path that cannot hold a store (a folder, a device) is refused naming it, before anything is
 * created there. The store cannot tell whose mistake the path is; `path:` lets a caller that
 * knows (the CLI: the user's --db) say so.
 */
function refuseNonFile(path: string): void {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined || stats.isFile()) return;
  throw notADatabase(
    `${path} ${stats.isDirectory() ? 'is a directory' : 'is not a regular file'}; expected a database file`,
  );
}

const notADatabase = (problem: string) => new ClosedloopError('CL_ERR_STORE', `path: ${problem}`);

function openConnection(path: string, deferSync: boolean): Database.Database {
  const inMemory = isInMemory(path);
  let db: Database.Database | undefined;
  try {
    if (!inMemory) {
      refuseNonFile(path);
      // The file holds people's emails and CRM secrets: only its owner may read it (SQLite gives
      // its -wal and -shm files the same mode).
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      createOwnerOnlyFile(path);
    }
    db = new Database(path, { timeout: busyTimeoutMs });
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    if (!inMemory) refuseAnotherProgramsFile(db, path);
    // WAL: readers never block the writer, and a commit appends to one file.
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (!inMemory && mode !== 'wal') {
      throw new ClosedloopError('CL_ERR_STORE', `${path}: the file system refuses WAL mode`);
    }
    // FULL: each commit fsyncs the WAL, so an acknowledged write survives an OS crash or power
    // cut. In WAL mode NORMAL already survives a killed process (the commit has reached the OS);
    // with deferSync the fsync that makes it FULL's equal comes from `durable()`.
    db.pragma(deferSync ? 'synchronous = NORMAL' : 'synchronous = FULL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (error) {
    db?.close();
    // SQLite reads the header at the first statement: another kind of file (a CSV given for the
    // database) is a wrong path too. An empty file is a new database to SQLite.
    if ((error as { code?: unknown }).code === 'SQLITE_NOTADB') {
      throw notADatabase(`${path} is not a SQLite database`);
    }
    throw storeFailure(`open ${path}`, error);
  }
}
