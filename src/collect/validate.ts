import { Compile } from 'typebox/compile';
import { describeSchemaError } from '../core/schema-errors.js';
import { epochMs, parseIsoInstant } from '../core/time.js';
import {
  type AliasEvent,
  eventSchemas,
  type IdentifyEvent,
  type PageEvent,
  type TrackEvent,
} from './schemas.js';

export type EventKind = 'page' | 'track' | 'identify' | 'alias';

export type ValidEvent =
  | (PageEvent & { readonly kind: 'page' })
  | (TrackEvent & { readonly kind: 'track' })
  | (IdentifyEvent & { readonly kind: 'identify' })
  | (AliasEvent & { readonly kind: 'alias' });

export type Validation =
  | { readonly ok: true; readonly event: ValidEvent }
  | { readonly ok: false; readonly error: string };

const checkers = Object.fromEntries(
  Object.entries(eventSchemas).map(([type, schema]) => [type, Compile(schema)]),
) as Record<keyof typeof eventSchemas, ReturnType<typeof Compile>>;

/**
 * Checks one event against its type's schema. `kind` is the route's type (`/v1/track`) when the
 * event does not say; a batch says per event. The error names the first bad field.
 */
export function validateEvent(raw: unknown, kind?: EventKind): Validation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: 'event: expected a JSON object' };
  }
  const record = withTextIds(raw as Record<string, unknown>);
  const declared = record.type;
  const type = declared === undefined ? kind : declared;
  if (typeof type !== 'string' || !Object.hasOwn(checkers, type)) {
    return {
      ok: false,
      error: `type: expected page, screen, track, identify or alias, got ${JSON.stringify(declared ?? null)}`,
    };
  }
  if (
    kind !== undefined &&
    declared !== undefined &&
    declared !== kind &&
    !(kind === 'page' && declared === 'screen')
  ) {
    return { ok: false, error: `type: this route takes ${kind} events, got "${String(declared)}"` };
  }
  const checker = checkers[type as keyof typeof checkers];
  if (!checker.Check(record)) {
    return {
      ok: false,
      error: describeSchemaError(checker.Errors(record), 'event', { value: record }),
    };
  }
  for (const field in record) {
    if (nestedDeeperThan(record[field], maxNesting)) {
      return { ok: false, error: `${field}: nested deeper than ${maxNesting} levels` };
    }
  }
  for (const field of ['timestamp', 'originalTimestamp', 'sentAt'] as const) {
    const value = record[field];
    if (
      value !== undefined &&
      value !== null &&
      Number.isNaN(parseTime(value as string | number))
    ) {
      return {
        ok: false,
        error: `${field}: ${expectedTime}, got ${JSON.stringify(value)}`,
      };
    }
  }
  const anonymousId = record.anonymousId;
  const userId = record.userId;
  const present = (id: unknown) => typeof id === 'string' && id.trim() !== '';
  if (!present(anonymousId) && !present(userId)) {
    return {
      ok: false,
      error: 'anonymousId: expected anonymousId or userId (one of them is required)',
    };
  }
  // SQLite stores a lone surrogate as bytes that are no UTF-8, which read back as U+FFFD, and its
  // JSON functions read it otherwise again: such an id would never be found, retries would be
  // stored twice and journeys miss visitors. (Other text is stored well-formed: normalizeEvent.)
  for (const field of ['messageId', 'anonymousId', 'userId', 'previousId'] as const) {
    const id = record[field];
    if (typeof id === 'string' && !id.isWellFormed()) {
      return {
        ok: false,
        error: `${field}: expected well-formed Unicode text (it has a lone surrogate)`,
      };
    }
  }
  if (type === 'alias') {
    for (const field of ['previousId', 'userId'] as const) {
      if (!present(record[field])) {
        return { ok: false, error: `${field}: expected an id, got a blank one` };
      }
    }
  }
  const eventKind: EventKind = type === 'screen' ? 'page' : (type as EventKind);
  return { ok: true, event: { ...record, kind: eventKind } as unknown as ValidEvent };
}

const idFields = ['anonymousId', 'userId', 'previousId'] as const;

/**
 * Ids sent as numbers (`"userId": 12345`, common from hand-written server calls) as the text
 * Segment's libraries would have sent. Only whole numbers: `1.5` or `1e21` name no one.
 */
function withTextIds(record: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const field of idFields) {
    const id = record[field];
    if (typeof id === 'number' && Number.isSafeInteger(id)) {
      copy ??= { ...record };
      copy[field] = String(id);
    }
  }
  return copy ?? record;
}

/**
 * More levels of objects and arrays than any analytics payload needs. The bound makes storing an
 * event the same wherever it is prepared: writing deeper JSON back out overflows the stack at a
 * depth that depends on the thread.
 */
export const maxNesting = 32;

export function nestedDeeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  if (Array.isArray(value)) return value.some((inner) => nestedDeeperThan(inner, levels - 1));
  for (const key in value) {
    if (nestedDeeperThan((value as Record<string, unknown>)[key], levels - 1)) return true;
  }
  return false;
}

let lastText: string | undefined;
let lastInstant = Number.NaN;

/** What a time field takes, for the errors that name one. */
export const expectedTime = 'expected an ISO 8601 date-time or epoch seconds or milliseconds';

/**
 * A Segment time: ISO 8601 text, or epoch seconds or milliseconds (told apart by size, as every
 * other time input: a hand-written call sending `time()` in seconds would otherwise land in 1970).
 */
export function parseTime(value: string | number): number {
  // Whole milliseconds inside the range a Date can hold.
  if (typeof value === 'number') {
    const ms = epochMs(value);
    return Math.abs(ms) <= 8.64e15 ? ms : Number.NaN;
  }
  // Validation and then normalization read the same text one after the other; so do the events
  // of a batch that share a sentAt. The last answer is kept.
  if (value !== lastText) {
    lastInstant = parseIsoInstant(value);
    lastText = value;
  }
  return lastInstant;
}
