import { calendarDateOf, utcMidnight } from '../../core/calendar.js';
import { lastInstantOf } from '../../core/deal-milestones.js';
import type { AmountChange, Deal, DealStatus, Moment, StageChange } from '../../core/deals.js';
import { normaliseEmail } from '../../core/emails.js';
import { decimalToMinor, minorDigits, minorToDecimal } from '../../core/money.js';
import type { DealDraft } from '../../store/ports.js';
import type { DealRow, HistoryRow } from '../formats/format.js';

/** Everything one import (or one webhook) says about one deal. */
export interface IncomingDeal {
  readonly externalId: string;
  /** The deal's own row; absent when only history rows name it. */
  readonly row: DealRow | undefined;
  readonly history: readonly HistoryRow[];
  /** Amounts dated by when they changed, apart from any stage change (webhooks say so). */
  readonly amountChanges?: readonly { readonly at: Moment; readonly amount: string }[];
  /**
   * When the source says the row's fields had their values (epoch ms; webhooks say so): a field
   * the store holds from a later time is left alone, so a late delivery cannot undo a newer one.
   */
  readonly fieldTimes?: Readonly<Partial<Record<keyof DealRow, number>>>;
  /**
   * Set when the row's pipeline is only the source's id for it, not the name its exports give (a
   * HubSpot custom pipeline's number): whether that id replaces the stored deal's pipeline. When
   * it does not, the stored pipeline is taken for the id's name and kept.
   */
  readonly pipelineIdReplaces?: (storedPipeline: string) => boolean;
}

export interface MergeContext {
  readonly source: string;
  readonly workspaceCurrency: string;
  /** The zone whose calendar days "closed before created" compares (default UTC). */
  readonly timeZone?: string;
  /** When this import runs: the time of changes the file does not date. */
  readonly now: number;
  /** Whether a stage name closes a deal, from the workspace's pipeline or the stage's name. */
  readonly outcomeOf: (pipeline: string, stage: string) => 'won' | 'lost' | null;
}

export type QuirkKind =
  | 'closed before created'
  | 'duplicate history rows'
  | 'amount rounded to minor units'
  | 'closed without a close date'
  | 're-opened'
  | 'amount too large, left out'
  | 'close date on an open deal, left out';

export interface MergedDeal {
  readonly draft: DealDraft;
  readonly quirks: readonly QuirkKind[];
}

const defaultPipeline = 'default';

/**
 * What a deal becomes when an import or webhook meets what was stored. Fields the input does not
 * give keep their stored value; stage history is the union of both, in time order, with exact
 * duplicates dropped, so replaying the same input changes nothing; an amount that changed is
 * appended to the amount history; a stage the input shows without dating it is recorded at `now`.
 */
export function mergeDeal(
  stored: Deal | undefined,
  incoming: IncomingDeal,
  context: MergeContext,
): MergedDeal {
  const quirks = new Set<QuirkKind>();
  const timeZone = context.timeZone ?? 'UTC';
  const { row, fieldTimes } = withoutStaleFields(incoming, stored, context.now, timeZone);
  const pick = <K extends keyof DealRow & keyof Deal>(key: K, fallback: Deal[K] | null = null) =>
    (row[key] as Deal[K] | undefined) ?? stored?.[key] ?? fallback;

  const pipeline =
    row.pipeline !== undefined &&
    stored !== undefined &&
    incoming.pipelineIdReplaces?.(stored.pipeline) === false
      ? stored.pipeline
      : (row.pipeline ?? stored?.pipeline ?? defaultPipeline);
  const currency = row.currency ?? stored?.currency ?? context.workspaceCurrency;
  const createdAt = row.createdAt ?? stored?.createdAt ?? null;

  const order = inTimeOrder(timeZone);
  const { history, duplicates } = mergedHistory(stored?.history ?? [], incoming.history, order);
  if (duplicates) quirks.add('duplicate history rows');
  // Dated stage changes (a webhook, a history file) say the current stage better than the store.
  const stage =
    row.stage ??
    (incoming.history.length > 0 ? history.at(-1)?.stage : undefined) ??
    stored?.stage ??
    null;
  const lastEntry = history.at(-1);
  // The current stage changed: always for a new deal, else when it differs from the stored one.
  // An input that merely repeats the stored stage (a re-import, a replayed history) moves nothing.
  const stageMoved = stored === undefined || (stage !== null && stage !== stored.stage);
  if (stage !== null && row.stage !== undefined && lastEntry?.stage !== stage) {
    // The input shows a stage its history does not: date it by the close, or else by this import
    // when it changed since the last one. A new deal's undated stage stays undated: an export of
    // old data would otherwise look as if its deals had sat in their stages until today.
    const at =
      context.outcomeOf(pipeline, stage) !== null && row.closedAt !== undefined
        ? row.closedAt
        : stored !== undefined && stageMoved
          ? { at: context.now, dateOnly: false }
          : undefined;
    if (at !== undefined) insertInOrder(history, { stage, enteredAt: at }, order);
  }

  const status = statusOf(row, stored, stageMoved, pipeline, stage, context);
  if (stored !== undefined && stored.status !== 'open' && status === 'open')
    quirks.add('re-opened');
  let closedAt: Moment | null = null;
  if (status !== 'open') {
    closedAt = row.closedAt ?? (stored?.status === status ? stored.closedAt : null);
    closedAt ??= closingEntry(history, pipeline, status, context)?.enteredAt ?? null;
    if (closedAt === null) quirks.add('closed without a close date');
  } else if (row.closedAt !== undefined) {
    // An open deal has no close: the date would mislead (an expected close belongs elsewhere).
    quirks.add('close date on an open deal, left out');
  }
  if (createdAt !== null && closedAt !== null && closedBefore(closedAt, createdAt, timeZone)) {
    quirks.add('closed before created');
  }

  const amountHistory = [...(stored?.amountHistory ?? [])];
  // In time order, whatever the input's order: whether an amount is new depends on the one in
  // force at its time, and a replay must find the same one.
  const dated = [
    ...incoming.history.flatMap((entry) =>
      entry.amount === undefined ? [] : [{ at: entry.enteredAt, amount: entry.amount }],
    ),
    ...(incoming.amountChanges ?? []),
  ].toSorted((a, b) => a.at.at - b.at.at);
  // Each in the currency in force at its own time: a late amount from before a currency change
  // is in the currency of then, not the deal's current one (which may not even hold it).
  const currencyChanges = [
    ...(fieldTimes?.currency === undefined ? [] : [{ at: fieldTimes.currency, currency }]),
    ...(incoming.fieldTimes?.currency === undefined || incoming.row?.currency === undefined
      ? []
      : [{ at: incoming.fieldTimes.currency, currency: incoming.row.currency }]),
  ];
  for (const entry of dated) {
    const then = currencyAt(entry.at.at, amountHistory, currencyChanges) ?? currency;
    const minor = toMinor(entry.amount, then, quirks);
    if (minor !== undefined) addAmount(amountHistory, { at: entry.at, minor, currency: then });
  }
  let amountMinor = stored?.amountMinor ?? null;
  const storedCurrency = stored?.currency ?? currency;
  if (row.amount === undefined && amountMinor !== null && storedCurrency !== currency) {
    // A CRM whose currency alone changes keeps the number: $100.00 becomes ¥100, not ¥10,000.
    const decimal = minorToDecimal(amountMinor, minorDigits(storedCurrency));
    amountMinor = toMinor(decimal, currency, quirks) ?? null;
  } else if (row.amount !== undefined)
    amountMinor = toMinor(row.amount, currency, quirks) ?? amountMinor;
  // Amounts the input dates, with no current one (a close value, a late webhook's change): the
  // amount in force is the latest in the history, for a stored deal as for a new one.
  else if (dated.length > 0 && amountHistory.length > 0)
    amountMinor = amountHistory.at(-1)?.minor ?? amountMinor;
  else if (amountHistory.length > 0 && stored === undefined)
    amountMinor = amountHistory.at(-1)?.minor ?? null;
  // A currency changed alone, by a source that dates the change (a webhook), changed the amount
  // then, not when the delivery is saved; one dated before the last amount (delivered late)
  // cannot be put in its place without rewriting the amounts after it, so it is the latest.
  const currencyChangedAt =
    row.amount === undefined && currency !== storedCurrency ? fieldTimes?.currency : undefined;
  const lastAmountAt = amountHistory.at(-1)?.at.at;
  if (
    amountMinor !== null &&
    currencyChangedAt !== undefined &&
    lastAmountAt !== undefined &&
    currencyChangedAt >= lastAmountAt
  ) {
    addAmount(amountHistory, {
      at: { at: currencyChangedAt, dateOnly: false },
      minor: amountMinor,
      currency,
    });
  } else if (amountMinor !== null) {
    const at =
      amountHistory.length === 0 && createdAt !== null
        ? createdAt
        : { at: context.now, dateOnly: false };
    addAmount(amountHistory, { at, minor: amountMinor, currency }, true);
  }

  return {
    draft: {
      externalId: incoming.externalId,
      source: context.source,
      name: pick('name'),
      amountMinor,
      currency:
        amountMinor === null && row.currency === undefined ? (stored?.currency ?? null) : currency,
      pipeline,
      stage,
      status,
      createdAt,
      closedAt,
      expectedCloseAt: pick('expectedCloseAt'),
      owner: pick('owner'),
      segment: pick('segment'),
      channel: pick('channel'),
      account: pick('account'),
      accountDomain: pick('accountDomain'),
      emails: union(stored?.emails ?? [], (row.emails ?? []).map(normaliseEmail)),
      contactIds: union(stored?.contactIds ?? [], row.contactIds ?? []),
      recurringInterval: pick('recurringInterval'),
      termMonths: pick('termMonths'),
      history,
      amountHistory,
      ...(fieldTimes === undefined ? {} : { fieldTimes }),
    },
    quirks: [...quirks],
  };
}

/**
 * The incoming row without the fields the store holds from a later time than the input says,
 * and the times of every field as they stand after the merge (undefined when no source said).
 * Dated stage and amount changes are not fields: they join the histories in their place.
 */
function withoutStaleFields(
  incoming: IncomingDeal,
  stored: Deal | undefined,
  now: number,
  timeZone: string,
): { row: DealRow; fieldTimes: Readonly<Record<string, number>> | undefined } {
  const row = incoming.row ?? { externalId: incoming.externalId };
  const given = incoming.fieldTimes;
  if (given === undefined) {
    // An input that says no times (an import) sets its fields as of now: a webhook retried
    // later with an older time must not undo it. Deals no webhook dated keep no times.
    if (stored?.fieldTimes === undefined) return { row, fieldTimes: undefined };
    const times: Record<string, number> = { ...stored.fieldTimes };
    for (const [key, value] of Object.entries(row)) {
      if (key !== 'externalId' && value !== undefined) times[key] = now;
    }
    return { row, fieldTimes: times };
  }
  const times: Record<string, number> = { ...stored?.fieldTimes };
  // The stored stage and status are as new as the stored history's latest entry, whichever
  // input set them: a stage dated before it is older news (a date alone, before its day's end).
  const lastEntry = stored?.history.at(-1);
  const lastEntryAt =
    lastEntry === undefined ? undefined : lastInstantOf(lastEntry.enteredAt, timeZone);
  const fresh: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    const said = given[key as keyof DealRow];
    const held =
      (key === 'stage' || key === 'status') && lastEntryAt !== undefined
        ? Math.max(times[key] ?? lastEntryAt, lastEntryAt)
        : times[key];
    if (said !== undefined && held !== undefined && said < held) continue;
    fresh[key] = value;
    if (said !== undefined && value !== undefined) times[key] = said;
  }
  return {
    row: fresh as unknown as DealRow,
    fieldTimes: Object.keys(times).length === 0 ? undefined : times,
  };
}

/**
 * The status the input gives; else, when the stage moved, the one the new stage implies (a move to
 * an open stage re-opens a closed deal); else the stored one. A stage that did not move says
 * nothing new: a CRM that keeps status apart from stage (Pipedrive) keeps its won deals won.
 */
function statusOf(
  row: DealRow,
  stored: Deal | undefined,
  stageMoved: boolean,
  pipeline: string,
  stage: string | null,
  context: MergeContext,
): DealStatus {
  if (row.status !== undefined) return row.status;
  const implied = stage === null ? null : context.outcomeOf(pipeline, stage);
  if (stageMoved || stored === undefined) return implied ?? 'open';
  return stored.status;
}

/** The last entry into a stage that closes the deal the way it is closed. */
function closingEntry(
  history: readonly StageChange[],
  pipeline: string,
  status: DealStatus,
  context: MergeContext,
): StageChange | undefined {
  return history.findLast((entry) => context.outcomeOf(pipeline, entry.stage) === status);
}

type EntryOrder = (a: StageChange, b: StageChange) => number;

/**
 * Stage changes in time order, a date without a time after every instant of its day in the zone:
 * a CRM that dates a change (a close) by day alone made it after whatever moved the deal that day.
 */
function inTimeOrder(timeZone: string): EntryOrder {
  return (a, b) =>
    lastInstantOf(a.enteredAt, timeZone) - lastInstantOf(b.enteredAt, timeZone) ||
    Number(a.enteredAt.dateOnly) - Number(b.enteredAt.dateOnly);
}

function mergedHistory(
  stored: readonly StageChange[],
  rows: readonly HistoryRow[],
  order: EntryOrder,
): { history: StageChange[]; duplicates: boolean } {
  // Stable: a history stored before dates alone went last in their day is put in that order.
  const history = stored.toSorted(order);
  let duplicates = false;
  const seenInInput = new Set<string>();
  for (const row of rows) {
    const key = `${row.stage}\u0000${row.enteredAt.at}`;
    if (seenInInput.has(key)) duplicates = true;
    seenInInput.add(key);
    insertInOrder(history, { stage: row.stage, enteredAt: row.enteredAt }, order);
  }
  return { history, duplicates };
}

/** Inserts an entry at its place in time (a late webhook lands where it belongs), once. */
function insertInOrder(history: StageChange[], entry: StageChange, order: EntryOrder): void {
  if (history.some((e) => e.stage === entry.stage && e.enteredAt.at === entry.enteredAt.at)) return;
  let i = history.length;
  while (i > 0 && order(history[i - 1] as StageChange, entry) > 0) i--;
  history.splice(i, 0, entry);
}

/** Appends an amount when it differs from the one in force at its time (`latest`: from the last). */
function addAmount(history: AmountChange[], entry: AmountChange, latest = false): void {
  if (latest) {
    const last = history.at(-1);
    if (last !== undefined && last.minor === entry.minor && last.currency === entry.currency)
      return;
    history.push(entry);
    return;
  }
  if (history.some((e) => e.at.at === entry.at.at && e.minor === entry.minor)) return;
  let i = history.length;
  while (i > 0 && (history[i - 1] as AmountChange).at.at > entry.at.at) i--;
  const before = history[i - 1];
  if (before !== undefined && before.minor === entry.minor && before.currency === entry.currency)
    return;
  // An entry arriving out of order may say first what the next one said: the next says nothing new.
  const after = history[i];
  const repeats =
    after !== undefined && after.minor === entry.minor && after.currency === entry.currency;
  history.splice(i, repeats ? 1 : 0, entry);
}

/**
 * The currency in force at a time, by the latest that is known of it by then: the amount in force
 * (its currency), or a dated change of the currency made after that amount. Known of nothing
 * before, it is that of the first amount after, when no change comes between; else undefined.
 */
function currencyAt(
  at: number,
  amountHistory: readonly AmountChange[],
  changes: readonly { readonly at: number; readonly currency: string }[],
): string | undefined {
  const inForce = amountHistory.findLast((entry) => entry.at.at <= at);
  let known = inForce === undefined ? undefined : { at: inForce.at.at, currency: inForce.currency };
  for (const change of changes) {
    if (change.at <= at && (known === undefined || change.at > known.at)) known = change;
  }
  if (known !== undefined) return known.currency;
  const next = amountHistory.find((entry) => entry.at.at > at);
  if (next === undefined || changes.some((change) => change.at > at && change.at <= next.at.at))
    return undefined;
  return next.currency;
}

function toMinor(amount: string, currency: string, quirks: Set<QuirkKind>): number | undefined {
  const converted = decimalToMinor(amount, minorDigits(currency));
  if (converted === undefined) quirks.add('amount too large, left out');
  if (converted?.rounded === true) quirks.add('amount rounded to minor units');
  return converted?.minor;
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

/** A close dated by day alone is not before a creation later that same day, in the zone's days. */
function closedBefore(closed: Moment, created: Moment, timeZone: string): boolean {
  if (closed.dateOnly || created.dateOnly) {
    const day = (moment: Moment) => utcMidnight(calendarDateOf(moment, timeZone));
    return day(closed) < day(created);
  }
  return closed.at < created.at;
}
