import type { StoreConfig } from '../config.js';
import { ClosedloopError, isClosedloopError } from '../core/errors.js';
import type { StateStore, Workspace } from '../store/ports.js';
import {
  openSqliteStore,
  type SqliteStore,
  type SqliteStoreOptions,
} from '../store/sqlite/open.js';

const defaultWorkspaceName = 'default';

export async function openStore(
  config: StoreConfig,
  options: SqliteStoreOptions = {},
): Promise<SqliteStore> {
  try {
    return await openSqliteStore(config.dbPath, options);
  } catch (error) {
    // The store refuses a path that holds no database (a folder, a CSV) naming it `path:`: here
    // that path is the user's --db, and the mistake theirs, not the store's.
    if (isClosedloopError(error) && error.message.startsWith('path: ')) {
      throw new ClosedloopError('CL_ERR_USAGE', `--db: ${error.message.slice('path: '.length)}`);
    }
    throw error;
  }
}

/** The workspace a command names, or the only one there is (made on first use). */
export async function resolveWorkspace(
  state: StateStore,
  idOrName: string | undefined,
): Promise<Workspace> {
  if (idOrName !== undefined) {
    // A fresh database gets the default workspace on first use, whichever way it is asked for;
    // one that has workspaces already is not given another by naming it.
    if (idOrName === defaultWorkspaceName && (await state.listWorkspaces()).length === 0) {
      await state.ensureDefaultWorkspace();
    }
    const workspace = await state.findWorkspace(idOrName);
    if (workspace === undefined) {
      throw new ClosedloopError(
        'CL_ERR_UNKNOWN_WORKSPACE',
        `--workspace: no workspace has the id or name "${idOrName}"`,
      );
    }
    return workspace;
  }
  const all = await state.listWorkspaces();
  if (all.length === 0) return state.ensureDefaultWorkspace();
  if (all.length === 1) return all[0] as Workspace;
  throw new ClosedloopError(
    'CL_ERR_USAGE',
    `--workspace: the database has ${all.length} workspaces (${all.map((w) => w.name).join(', ')}); name one`,
  );
}

/** Runs `work` with the store open, and closes it whatever happens. */
export async function withStore<T>(
  config: StoreConfig,
  work: (store: SqliteStore) => Promise<T>,
): Promise<T> {
  const store = await openStore(config);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
