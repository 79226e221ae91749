import { ClosedloopError } from '../../core/errors.js';
import { isKnownCurrency } from '../../core/money.js';
import type { WorkspaceSettings } from '../ports.js';

/** What a workspace starts with when nobody says otherwise. */
export const defaultWorkspaceSettings: WorkspaceSettings = Object.freeze({
  timeZone: 'UTC',
  currency: 'USD',
  sessionTimeoutMinutes: 30,
  lookbackDays: 90,
});

const maxNameLength = 100;

/** A visit idle for a day is over; a lookback past ten years reaches before any CRM's history. */
export const maxSessionTimeoutMinutes = 1_440;
export const maxLookbackDays = 3_650;

/** The settings after `changes`, each changed field checked; errors name the field. */
export function checkedSettings(
  base: WorkspaceSettings,
  changes: Partial<WorkspaceSettings>,
): WorkspaceSettings {
  return {
    timeZone: changes.timeZone === undefined ? base.timeZone : checkedTimeZone(changes.timeZone),
    currency: changes.currency === undefined ? base.currency : checkedCurrency(changes.currency),
    sessionTimeoutMinutes:
      changes.sessionTimeoutMinutes === undefined
        ? base.sessionTimeoutMinutes
        : checkedCount(
            'sessionTimeoutMinutes',
            changes.sessionTimeoutMinutes,
            maxSessionTimeoutMinutes,
          ),
    lookbackDays:
      changes.lookbackDays === undefined
        ? base.lookbackDays
        : checkedCount('lookbackDays', changes.lookbackDays, maxLookbackDays),
  };
}

/** A workspace name: trimmed, not empty, printable. */
export function checkedWorkspaceName(name: unknown): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (trimmed === '' || trimmed.length > maxNameLength || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new ClosedloopError(
      'CL_ERR_CONFIG',
      `name: ${JSON.stringify(name)} is not a workspace name (1 to ${maxNameLength} printable characters)`,
    );
  }
  return trimmed;
}

/** An IANA zone, stored as Intl spells it (`europe/paris` → `Europe/Paris`). */
function checkedTimeZone(value: unknown): string {
  // Newer Intl versions accept UTC offsets such as `+01:00`; they are no IANA zone.
  if (typeof value === 'string' && value.trim() !== '' && !/^\s*[+-]/.test(value)) {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: value.trim() }).resolvedOptions()
        .timeZone;
    } catch {
      // Falls through to the error below.
    }
  }
  throw new ClosedloopError(
    'CL_ERR_CONFIG',
    `timeZone: ${JSON.stringify(value)} is not an IANA time zone (e.g. Europe/Paris)`,
  );
}

function checkedCurrency(value: unknown): string {
  if (typeof value === 'string' && isKnownCurrency(value)) return value;
  throw new ClosedloopError(
    'CL_ERR_CONFIG',
    `currency: ${JSON.stringify(value)} is not an ISO 4217 code in use (three capital letters, e.g. EUR)`,
  );
}

function checkedCount(field: string, value: unknown, max: number): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= max) {
    return value;
  }
  throw new ClosedloopError(
    'CL_ERR_CONFIG',
    `${field}: ${shown(value)} is not a whole number from 1 to ${max}`,
  );
}

/** Strings quoted, numbers as they are (JSON would print NaN as null). */
function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
