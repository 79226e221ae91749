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
/** Categories Cc, Cf, Cs, Co, Cn, Zl and Zp. */
const invisibleCharacter = /[\p{C}\p{Zl}\p{Zp}]/u;
/** A letter, digit, punctuation mark or symbol: not only spaces and combining marks. */
const visibleCharacter = /[\p{L}\p{N}\p{P}\p{S}]/u;

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

/**
 * A workspace name: trimmed, 1 to 100 characters (code points: an emoji is one), at least one of
 * them visible, and none a control, format (invisible, bidi), private-use, surrogate, unassigned,
 * line or paragraph separator character — names are printed on terminals and in lists.
 */
export function checkedWorkspaceName(name: unknown): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed === '') {
    throw nameError('expected a workspace name, got an empty one');
  }
  const invisible = invisibleCharacter.exec(trimmed)?.[0];
  if (invisible !== undefined) {
    throw nameError(
      `expected up to ${maxNameLength} printable characters, got an invisible or control character (${codePointOf(invisible)})`,
    );
  }
  if (!visibleCharacter.test(trimmed)) {
    throw nameError('expected a workspace name, got no visible character');
  }
  const length = [...trimmed].length;
  if (length > maxNameLength) {
    throw nameError(`expected up to ${maxNameLength} printable characters, got ${length}`);
  }
  return trimmed;
}

function nameError(problem: string): ClosedloopError {
  return new ClosedloopError('CL_ERR_CONFIG', `name: ${problem}`);
}

/** `U+202E`: a character named without printing it. */
function codePointOf(character: string): string {
  const codePoint = character.codePointAt(0) ?? 0;
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * An IANA zone, spelt as Intl spells it when only the case differs (`europe/paris` →
 * `Europe/Paris`), else as given: Intl may know today's name by an older alias (`Asia/Kolkata`
 * as `Asia/Calcutta`, `Europe/Kyiv` as `Europe/Kiev`), and the user's is the one they know.
 */
function checkedTimeZone(value: unknown): string {
  // Newer Intl versions accept UTC offsets such as `+01:00`; they are no IANA zone.
  if (typeof value === 'string' && value.trim() !== '' && !/^\s*[+-]/.test(value)) {
    const given = value.trim();
    try {
      const spelt = new Intl.DateTimeFormat('en-US', { timeZone: given }).resolvedOptions()
        .timeZone;
      return spelt.toLowerCase() === given.toLowerCase() ? spelt : given;
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
