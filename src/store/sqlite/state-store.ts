import type Database from 'better-sqlite3';
import type { StateStore } from '../ports.js';
import { sqliteDeals } from './deals.js';
import { closeOnce } from './failures.js';
import { sqliteIdentityGraph } from './identity-graph.js';
import { sqliteWorkspaces } from './workspaces.js';

/** The state store on a SQLite connection it shares; `release` is told when the port closes. */
export function createSqliteStateStore(
  db: Database.Database,
  release: () => void = () => {},
): StateStore {
  return {
    ...sqliteWorkspaces(db),
    ...sqliteIdentityGraph(db),
    ...sqliteDeals(db),
    close: closeOnce(release),
  };
}
