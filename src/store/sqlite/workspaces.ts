import type Database from 'better-sqlite3';
import { ClosedloopError } from '../../core/errors.js';
import { rebasedRates } from '../../core/exchange-rebase.js';
import { minorDigits } from '../../core/money.js';
import type {
  CreatedWorkspace,
  CrmNames,
  StateStore,
  Workspace,
  WorkspaceSettings,
} from '../ports.js';
import { guarded } from './failures.js';
import { newSecretKey, newWorkspaceId, newWriteKey, sha256Hex } from './keys.js';
import {
  checkedSettings,
  checkedWorkspaceName,
  defaultWorkspaceSettings,
} from './workspace-settings.js';

const workspaceColumns = `w.id, w.name, w.time_zone, w.currency, w.session_timeout_minutes,
  w.lookback_days, w.created_at`;

export const workspaceSql = {
  insertWorkspace: `INSERT INTO workspaces (id, name, time_zone, currency, session_timeout_minutes,
    lookback_days, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  workspaceById: `SELECT ${workspaceColumns} FROM workspaces w WHERE w.id = ?`,
  workspaceByName: `SELECT ${workspaceColumns} FROM workspaces w WHERE w.name = ?`,
  listWorkspaces: `SELECT ${workspaceColumns} FROM workspaces w ORDER BY w.created_at, w.rowid`,
  updateSettings: `UPDATE workspaces SET time_zone = ?, currency = ?, session_timeout_minutes = ?,
    lookback_days = ? WHERE id = ?`,
  targetsOf: 'SELECT period, amount_minor FROM revenue_targets WHERE workspace_id = ?',
  rescaleTarget: `UPDATE revenue_targets SET amount_minor = ?
    WHERE workspace_id = ? AND period = ?`,
  ratesOf: `SELECT currency, date, date_only, rate FROM exchange_rates WHERE workspace_id = ?
    ORDER BY currency, date`,
  deleteRates: 'DELETE FROM exchange_rates WHERE workspace_id = ?',
  insertRate: `INSERT INTO exchange_rates (workspace_id, currency, date, date_only, rate)
    VALUES (?, ?, ?, ?, ?)`,
  insertWriteKey: `INSERT INTO api_keys (workspace_id, kind, write_key, created_at)
    VALUES (?, 'write', ?, ?)`,
  insertSecretKey: `INSERT INTO api_keys (workspace_id, kind, secret_sha256, created_at)
    VALUES (?, 'secret', ?, ?)`,
  workspaceByWriteKey: `SELECT ${workspaceColumns} FROM api_keys k
    JOIN workspaces w ON w.id = k.workspace_id WHERE k.write_key = ? AND k.kind = 'write'`,
  workspaceBySecretHash: `SELECT ${workspaceColumns} FROM api_keys k
    JOIN workspaces w ON w.id = k.workspace_id WHERE k.secret_sha256 = ? AND k.kind = 'secret'`,
  setIntegrationSecret: `INSERT INTO integrations (workspace_id, provider, secret, updated_at)
    VALUES (?, ?, ?, ?) ON CONFLICT (workspace_id, provider) DO UPDATE SET
      secret = excluded.secret, updated_at = excluded.updated_at`,
  integrationSecret: 'SELECT secret FROM integrations WHERE workspace_id = ? AND provider = ?',
  setIntegrationNames: `INSERT INTO integration_names (workspace_id, provider, names, updated_at)
    VALUES (?, ?, ?, ?) ON CONFLICT (workspace_id, provider) DO UPDATE SET
      names = excluded.names, updated_at = excluded.updated_at`,
  integrationNames: 'SELECT names FROM integration_names WHERE workspace_id = ? AND provider = ?',
  writeKeyOf: `SELECT write_key FROM api_keys WHERE workspace_id = ? AND kind = 'write'
    ORDER BY created_at DESC, id DESC LIMIT 1`,
} as const;

interface WorkspaceRow {
  id: string;
  name: string;
  time_zone: string;
  currency: string;
  session_timeout_minutes: number;
  lookback_days: number;
  created_at: number;
}

type WorkspaceMethods = Pick<
  StateStore,
  | 'ensureDefaultWorkspace'
  | 'createWorkspace'
  | 'listWorkspaces'
  | 'findWorkspace'
  | 'updateWorkspaceSettings'
  | 'workspaceByWriteKey'
  | 'workspaceBySecretKey'
  | 'writeKeyOf'
  | 'issueSecretKey'
  | 'setIntegrationSecret'
  | 'integrationSecret'
  | 'setIntegrationNames'
  | 'integrationNames'
>;

const defaultWorkspaceName = 'default';

/** Workspaces and their keys. */
export function sqliteWorkspaces(db: Database.Database): WorkspaceMethods {
  const sql = workspaceSql;
  const insertWorkspace = db.prepare<unknown[]>(sql.insertWorkspace);
  const workspaceById = db.prepare<[string], WorkspaceRow>(sql.workspaceById);
  const workspaceByName = db.prepare<[string], WorkspaceRow>(sql.workspaceByName);
  const listWorkspaces = db.prepare<[], WorkspaceRow>(sql.listWorkspaces);
  const updateSettings = db.prepare<[string, string, number, number, string]>(sql.updateSettings);
  const targetsOf = db.prepare<[string], { period: string; amount_minor: number }>(sql.targetsOf);
  const rescaleTarget = db.prepare<[number, string, string]>(sql.rescaleTarget);
  const ratesOf = db.prepare<
    [string],
    { currency: string; date: number; date_only: 0 | 1; rate: number }
  >(sql.ratesOf);
  const deleteRates = db.prepare<[string]>(sql.deleteRates);
  const insertRate = db.prepare<[string, string, number, number, number]>(sql.insertRate);
  const insertWriteKey = db.prepare<[string, string, number]>(sql.insertWriteKey);
  const insertSecretKey = db.prepare<[string, string, number]>(sql.insertSecretKey);
  const workspaceByWriteKey = db.prepare<[string], WorkspaceRow>(sql.workspaceByWriteKey);
  const workspaceBySecretHash = db.prepare<[string], WorkspaceRow>(sql.workspaceBySecretHash);
  const writeKeyOf = db.prepare<[string], string>(sql.writeKeyOf).pluck();
  const setIntegrationSecret = db.prepare<[string, string, string, number]>(
    sql.setIntegrationSecret,
  );
  const integrationSecret = db.prepare<[string, string], string>(sql.integrationSecret).pluck();
  const setIntegrationNames = db.prepare<[string, string, string, number]>(sql.setIntegrationNames);
  const integrationNames = db.prepare<[string, string], string>(sql.integrationNames).pluck();

  /** A new workspace and its write key; the caller decides about a secret key. */
  function insert(
    name: string,
    settings: WorkspaceSettings,
    at: number,
  ): { workspace: Workspace; writeKey: string } {
    if (workspaceByName.get(name) !== undefined) {
      throw new ClosedloopError(
        'CL_ERR_CONFIG',
        `name: a workspace named "${name}" exists already`,
      );
    }
    const id = newWorkspaceId();
    insertWorkspace.run(
      id,
      name,
      settings.timeZone,
      settings.currency,
      settings.sessionTimeoutMinutes,
      settings.lookbackDays,
      at,
    );
    const writeKey = newWriteKey();
    insertWriteKey.run(id, writeKey, at);
    return { workspace: { id, name, createdAt: at, ...settings }, writeKey };
  }

  // Immediate transactions: they take the write lock before reading, so two processes creating
  // the same workspace queue on busy_timeout instead of failing to upgrade a read lock.
  const ensureDefault = db.transaction((at: number): Workspace => {
    const existing = workspaceByName.get(defaultWorkspaceName);
    // No secret key: nobody would ever see it. Secret keys come with createWorkspace.
    return existing === undefined
      ? insert(defaultWorkspaceName, defaultWorkspaceSettings, at).workspace
      : toWorkspace(existing);
  });

  const create = db.transaction(
    (name: string, changes: Partial<WorkspaceSettings>, at: number): CreatedWorkspace => {
      const checkedName = checkedWorkspaceName(name);
      const settings = checkedSettings(defaultWorkspaceSettings, changes);
      const { workspace, writeKey } = insert(checkedName, settings, at);
      const secretKey = newSecretKey();
      insertSecretKey.run(workspace.id, sha256Hex(secretKey), at);
      return { workspace, writeKey, secretKey };
    },
  );

  const update = db.transaction((id: string, changes: Partial<WorkspaceSettings>): Workspace => {
    const row = workspaceById.get(id);
    if (row === undefined) throw unknownWorkspace(id);
    const current = toWorkspace(row);
    const settings = checkedSettings(current, changes);
    if (settings.currency !== current.currency) {
      // Targets are minor units of the workspace currency: they keep their number in major
      // units, as a deal whose currency alone changes does ($250,000.00 becomes ¥250,000), and
      // are not read as 100 times more yen.
      const shift = minorDigits(settings.currency) - minorDigits(current.currency);
      for (const target of targetsOf.all(id)) {
        rescaleTarget.run(shiftedMinor(target.amount_minor, shift), id, target.period);
      }
      // Rates are units of the workspace currency: left as they are, "USD per GBP" would be read
      // as "EUR per GBP". Read in the zone the workspace has from now on, as reports will.
      const stored = ratesOf.all(id).map((row) => ({
        currency: row.currency,
        date: { at: row.date, dateOnly: row.date_only === 1 },
        rate: row.rate,
      }));
      const rebased = rebasedRates(stored, current.currency, settings.currency, settings.timeZone);
      if (rebased !== undefined) {
        deleteRates.run(id);
        for (const rate of rebased) {
          insertRate.run(id, rate.currency, rate.date.at, rate.date.dateOnly ? 1 : 0, rate.rate);
        }
      }
    }
    updateSettings.run(
      settings.timeZone,
      settings.currency,
      settings.sessionTimeoutMinutes,
      settings.lookbackDays,
      id,
    );
    return { ...current, ...settings };
  });

  return {
    ensureDefaultWorkspace: () =>
      guarded('ensureDefaultWorkspace', () => ensureDefault.immediate(Date.now())),
    createWorkspace: (name, settings = {}) =>
      guarded('createWorkspace', () => create.immediate(name, settings, Date.now())),
    listWorkspaces: () => guarded('listWorkspaces', () => listWorkspaces.all().map(toWorkspace)),
    findWorkspace: (idOrName) =>
      guarded('findWorkspace', () => {
        const row = workspaceById.get(idOrName) ?? workspaceByName.get(idOrName);
        return row === undefined ? undefined : toWorkspace(row);
      }),
    updateWorkspaceSettings: (id, settings) =>
      guarded('updateWorkspaceSettings', () => update.immediate(id, settings)),
    workspaceByWriteKey: (writeKey) =>
      guarded('workspaceByWriteKey', () => {
        const row = writeKey === '' ? undefined : workspaceByWriteKey.get(writeKey);
        return row === undefined ? undefined : toWorkspace(row);
      }),
    workspaceBySecretKey: (secretKey) =>
      guarded('workspaceBySecretKey', () => {
        const row = secretKey === '' ? undefined : workspaceBySecretHash.get(sha256Hex(secretKey));
        return row === undefined ? undefined : toWorkspace(row);
      }),
    issueSecretKey: (workspaceId) =>
      guarded('issueSecretKey', () => {
        if (workspaceById.get(workspaceId) === undefined) throw unknownWorkspace(workspaceId);
        const secretKey = newSecretKey();
        insertSecretKey.run(workspaceId, sha256Hex(secretKey), Date.now());
        return secretKey;
      }),
    setIntegrationSecret: (workspaceId, provider, secret) =>
      guarded('setIntegrationSecret', () => {
        if (workspaceById.get(workspaceId) === undefined) throw unknownWorkspace(workspaceId);
        if (secret.trim() === '') {
          throw new ClosedloopError(
            'CL_ERR_CONFIG',
            `${provider} secret: expected a value, got an empty one`,
          );
        }
        setIntegrationSecret.run(workspaceId, provider, secret, Date.now());
      }),
    integrationSecret: (workspaceId, provider) =>
      guarded('integrationSecret', () => integrationSecret.get(workspaceId, provider)),
    setIntegrationNames: (workspaceId, provider, names) =>
      guarded('setIntegrationNames', () => {
        if (workspaceById.get(workspaceId) === undefined) throw unknownWorkspace(workspaceId);
        const stored = { pipelines: { ...names.pipelines }, stages: { ...names.stages } };
        setIntegrationNames.run(workspaceId, provider, JSON.stringify(stored), Date.now());
      }),
    integrationNames: (workspaceId, provider) =>
      guarded('integrationNames', () => {
        const names = integrationNames.get(workspaceId, provider);
        return names === undefined ? undefined : (JSON.parse(names) as CrmNames);
      }),
    writeKeyOf: (workspaceId) =>
      guarded('writeKeyOf', () => {
        const key = writeKeyOf.get(workspaceId);
        if (key === undefined) throw unknownWorkspace(workspaceId);
        return key;
      }),
  };
}

function unknownWorkspace(id: string): ClosedloopError {
  return new ClosedloopError('CL_ERR_UNKNOWN_WORKSPACE', `workspace: no workspace has id "${id}"`);
}

function toWorkspace(row: WorkspaceRow): Workspace {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.time_zone,
    currency: row.currency,
    sessionTimeoutMinutes: row.session_timeout_minutes,
    lookbackDays: row.lookback_days,
    createdAt: row.created_at,
  };
}

/** Minor units moved by `shift` decimal places, rounded half up (targets are never negative). */
function shiftedMinor(minor: number, shift: number): number {
  if (shift >= 0) return minor * 10 ** shift;
  const divisor = 10 ** -shift;
  return Math.floor((minor + divisor / 2) / divisor);
}
