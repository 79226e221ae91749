import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Deal, Moment } from '../../core/deals.js';
import { dealsAsOf } from '../../core/deals-as-of.js';
import type { DealDraft } from '../../store/ports.js';
import type { DealRow, HistoryRow } from '../formats/format.js';
import { outcomeOfStage } from '../stage-words.js';
import { type IncomingDeal, type MergeContext, mergeDeal } from './merge-deal.js';

const now = Date.parse('2030-01-01T00:00:00Z');
const context: MergeContext = {
  source: 'closedloop',
  workspaceCurrency: 'USD',
  now,
  outcomeOf: (_pipeline, stage) => outcomeOfStage(stage),
};
const atNow: Moment = { at: now, dateOnly: false };

/** "2027-03-05" is a calendar date; anything longer an instant. */
function moment(text: string): Moment {
  return {
    at: Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text),
    dateOnly: text.length === 10,
  };
}

function incoming(
  row: Omit<DealRow, 'externalId'> | undefined,
  history: [stage: string, at: string, amount?: string][] = [],
  externalId = 'D-1',
): IncomingDeal {
  return {
    externalId,
    row: row === undefined ? undefined : { externalId, ...row },
    history: history.map(
      ([stage, at, amount]): HistoryRow => ({
        externalId,
        stage,
        enteredAt: moment(at),
        ...(amount === undefined ? {} : { amount }),
      }),
    ),
  };
}

/** A draft as the store gives it back. */
function stored(draft: DealDraft, updatedAt = now - 1): Deal {
  return { ...draft, id: 'd_1', workspaceId: 'ws_1', updatedAt };
}

const stages = (draft: DealDraft) => draft.history.map((entry) => entry.stage);

describe('mergeDeal: a new deal', () => {
  it('keeps a row with only its id, every other field empty', () => {
    const { draft, quirks } = mergeDeal(undefined, incoming({}), context);
    expect(draft).toEqual({
      externalId: 'D-1',
      source: 'closedloop',
      name: null,
      amountMinor: null,
      currency: null,
      pipeline: 'default',
      stage: null,
      status: 'open',
      createdAt: null,
      closedAt: null,
      expectedCloseAt: null,
      owner: null,
      segment: null,
      channel: null,
      account: null,
      accountDomain: null,
      emails: [],
      contactIds: [],
      recurringInterval: null,
      termMonths: null,
      history: [],
      amountHistory: [],
    });
    expect(quirks).toEqual([]);
  });

  it('takes its status from the stage name in other languages, and its close from the history', () => {
    const won = mergeDeal(
      undefined,
      incoming({ stage: 'Gagné' }, [
        ['Nouveau', '2027-01-15T09:00:00Z'],
        ['Gagné', '2027-03-02T17:00:00Z'],
      ]),
      context,
    ).draft;
    expect(won.status).toBe('won');
    expect(won.closedAt).toEqual(moment('2027-03-02T17:00:00Z'));
    const lost = mergeDeal(
      undefined,
      incoming({ stage: 'Perdu', closedAt: moment('2027-04-01') }),
      context,
    ).draft;
    expect(lost.status).toBe('lost');
    expect(lost.closedAt).toEqual(moment('2027-04-01'));
    // Dated by its close, the closing stage enters the history.
    expect(lost.history).toEqual([{ stage: 'Perdu', enteredAt: moment('2027-04-01') }]);
    expect(mergeDeal(undefined, incoming({ stage: 'Verhandlung' }), context).draft.status).toBe(
      'open',
    );
  });

  it('takes the close from the last entry into a stage that closes it the way it is closed', () => {
    const { draft } = mergeDeal(
      undefined,
      incoming({ status: 'won' }, [
        ['Closed Lost', '2027-01-10'],
        ['Proposal', '2027-02-01'],
        ['Closed Won', '2027-03-01'],
        ['Closed Lost', '2027-04-01'],
      ]),
      context,
    );
    expect(draft.status).toBe('won');
    expect(draft.closedAt).toEqual(moment('2027-03-01'));
  });

  it('lists a closed deal with no date to close it by', () => {
    const { draft, quirks } = mergeDeal(undefined, incoming({ status: 'lost' }), context);
    expect(draft.closedAt).toBeNull();
    expect(quirks).toContain('closed without a close date');
  });

  it('leaves out, and lists, a close date given with an open deal', () => {
    const open = mergeDeal(
      undefined,
      incoming({ status: 'open', closedAt: moment('2027-03-01') }),
      context,
    );
    expect(open.draft.closedAt).toBeNull();
    expect(open.quirks).toEqual(['close date on an open deal, left out']);
    expect(mergeDeal(undefined, incoming({ status: 'open' }), context).quirks).toEqual([]);
  });

  it('lists a close before the creation, but not a date-only close on the creation day', () => {
    const sameDay = mergeDeal(
      undefined,
      incoming({
        status: 'won',
        createdAt: moment('2027-03-05T15:30:00Z'),
        closedAt: moment('2027-03-05'),
      }),
      context,
    );
    expect(sameDay.quirks).not.toContain('closed before created');
    const dayBefore = mergeDeal(
      undefined,
      incoming({
        status: 'won',
        createdAt: moment('2027-03-05T15:30:00Z'),
        closedAt: moment('2027-03-04'),
      }),
      context,
    );
    expect(dayBefore.quirks).toContain('closed before created');
    // The deal is kept as the CRM said it.
    expect(dayBefore.draft.closedAt).toEqual(moment('2027-03-04'));
    const instants = mergeDeal(
      undefined,
      incoming({
        status: 'lost',
        createdAt: moment('2027-03-05T15:30:00Z'),
        closedAt: moment('2027-03-05T15:29:59Z'),
      }),
      context,
    );
    expect(instants.quirks).toContain('closed before created');
    // 22:00 in New York on the 5th is the 6th in UTC: the close on the 5th is that same day there.
    const evening = incoming({
      status: 'won',
      createdAt: moment('2027-01-06T03:00:00Z'),
      closedAt: moment('2027-01-05'),
    });
    const inNewYork = mergeDeal(undefined, evening, { ...context, timeZone: 'America/New_York' });
    expect(inNewYork.quirks).not.toContain('closed before created');
    expect(mergeDeal(undefined, evening, context).quirks).toContain('closed before created');
  });

  it('puts a date-only close after the timed stage changes of its day, in the zone', () => {
    const input = incoming({ stage: 'Closed Won', closedAt: moment('2026-03-05') }, [
      ['Proposal', '2026-03-05T14:00:00Z'],
    ]);
    const won = mergeDeal(undefined, input, context).draft;
    expect(stages(won)).toEqual(['Proposal', 'Closed Won']);
    expect(won).toMatchObject({ status: 'won', closedAt: moment('2026-03-05') });
    const deal = stored(won);
    // Won once the day is over; during it, the close has not happened yet.
    expect(dealsAsOf([deal], Date.parse('2026-03-06T00:00:00Z'))[0]).toMatchObject({
      status: 'won',
      stage: 'Closed Won',
      history: won.history,
    });
    expect(dealsAsOf([deal], Date.parse('2026-03-05T18:00:00Z'))[0]).toMatchObject({
      status: 'open',
      stage: 'Proposal',
      closedAt: null,
    });
    // A stored deal in the old order comes back in the right one.
    const reversed = { ...deal, history: won.history.toReversed() };
    expect(stages(mergeDeal(reversed, incoming(undefined), context).draft)).toEqual(stages(won));
    // 21:00 in New York on the 5th is the 6th in UTC: the day's close comes after it there only.
    const evening = incoming({ stage: 'Closed Won', closedAt: moment('2026-03-05') }, [
      ['Proposal', '2026-03-06T02:00:00Z'],
    ]);
    const inNewYork = { ...context, timeZone: 'America/New_York' };
    expect(stages(mergeDeal(undefined, evening, inNewYork).draft)).toEqual([
      'Proposal',
      'Closed Won',
    ]);
    expect(stages(mergeDeal(undefined, evening, context).draft)).toEqual([
      'Closed Won',
      'Proposal',
    ]);
  });

  it('rounds amounts to the minor units of their currency, half away from zero', () => {
    const cases: [amount: string, currency: string, minor: number, rounded: boolean][] = [
      ['1234.5', 'JPY', 1235, true],
      ['1234.4', 'JPY', 1234, true],
      ['10.005', 'USD', 1001, true],
      ['-10.005', 'USD', -1001, true],
      ['10.004', 'USD', 1000, true],
      ['10.000', 'USD', 1000, false],
      ['12.3456', 'KWD', 12346, true],
      ['12000.50', 'EUR', 1200050, false],
    ];
    for (const [amount, currency, minor, rounded] of cases) {
      const { draft, quirks } = mergeDeal(undefined, incoming({ amount, currency }), context);
      expect([amount, currency, draft.amountMinor]).toEqual([amount, currency, minor]);
      expect(quirks.includes('amount rounded to minor units')).toBe(rounded);
    }
  });

  it('lists an amount too large to hold, and keeps the deal without it', () => {
    const { draft, quirks } = mergeDeal(
      undefined,
      incoming({ amount: '123456789012345678', currency: 'USD' }),
      context,
    );
    expect(draft.amountMinor).toBeNull();
    expect(quirks).toContain('amount too large, left out');
  });

  it('keeps the amounts the history gives, in time order, and the row amount as the current one', () => {
    const { draft } = mergeDeal(
      undefined,
      incoming({ amount: '48000', currency: 'EUR', createdAt: moment('2026-11-03T09:15:00Z') }, [
        ['Prospecting', '2026-11-03T09:15:00Z', '40000.00'],
        ['Closed Won', '2027-02-14T10:05:00Z', '48000.00'],
        ['Proposal', '2026-12-10T16:40:00Z', '48000.00'],
      ]),
      context,
    );
    expect(stages(draft)).toEqual(['Prospecting', 'Proposal', 'Closed Won']);
    expect(draft.amountMinor).toBe(4800000);
    expect(draft.amountHistory).toEqual([
      { at: moment('2026-11-03T09:15:00Z'), minor: 4000000, currency: 'EUR' },
      { at: moment('2026-12-10T16:40:00Z'), minor: 4800000, currency: 'EUR' },
    ]);
  });

  it('drops duplicate history rows (same stage, same time) and lists them', () => {
    const { draft, quirks } = mergeDeal(
      undefined,
      incoming({}, [
        ['Demo', '2027-02-03'],
        ['Demo', '2027-02-03'],
        ['Proposal', '2027-02-10'],
      ]),
      context,
    );
    expect(stages(draft)).toEqual(['Demo', 'Proposal']);
    expect(draft.stage).toBe('Proposal');
    expect(quirks).toContain('duplicate history rows');
  });

  it('keeps a stage entered twice at different times (a deal that went back)', () => {
    const { draft, quirks } = mergeDeal(
      undefined,
      incoming({}, [
        ['Demo', '2027-02-03'],
        ['Proposal', '2027-02-10'],
        ['Demo', '2027-02-20'],
      ]),
      context,
    );
    expect(stages(draft)).toEqual(['Demo', 'Proposal', 'Demo']);
    expect(quirks).not.toContain('duplicate history rows');
  });
});

describe('mergeDeal: amounts dated by the input, with no current one', () => {
  it('take the latest as the amount in force, for a stored deal too (a close value re-imported)', () => {
    const open = mergeDeal(
      undefined,
      incoming({ stage: 'Engaging', status: 'open' }, [['Engaging', '2017-03-01']]),
      context,
    ).draft;
    expect(open.amountMinor).toBeNull();
    // The next export: the deal won, its close value dated at the close.
    const won = mergeDeal(
      stored(open),
      incoming({ stage: 'Won', status: 'won', closedAt: moment('2017-04-02') }, [
        ['Engaging', '2017-03-01'],
        ['Won', '2017-04-02', '4514'],
      ]),
      context,
    ).draft;
    expect(won.amountMinor).toBe(451_400);
    expect(won.amountHistory).toEqual([
      { at: moment('2017-04-02'), minor: 451_400, currency: 'USD' },
    ]);
    // A corrected close value replaces it, and the history says when each was in force.
    const corrected = mergeDeal(
      stored(won),
      incoming({ stage: 'Won', status: 'won', closedAt: moment('2017-04-02') }, [
        ['Won', '2017-04-02', '4600'],
      ]),
      context,
    ).draft;
    expect(corrected.amountMinor).toBe(460_000);
    expect(corrected.amountHistory.at(-1)?.minor).toBe(460_000);
  });

  it('let an import set a field a webhook dated before, so a retried webhook cannot undo it', () => {
    const fromWebhook = mergeDeal(
      undefined,
      { ...incoming({ amount: '100', name: 'Acme' }), fieldTimes: { amount: 1_000, name: 1_000 } },
      context,
    ).draft;
    // The import sets the amount as of its own time.
    const imported = mergeDeal(stored(fromWebhook), incoming({ amount: '250' }), context).draft;
    expect(imported.amountMinor).toBe(25_000);
    expect(imported.fieldTimes).toEqual({ name: 1_000, amount: now });
    const retried = mergeDeal(
      stored(imported),
      { ...incoming({ amount: '100', name: 'Acme' }), fieldTimes: { amount: 1_000, name: 1_000 } },
      context,
    ).draft;
    expect(retried.amountMinor).toBe(25_000);
    expect(retried.name).toBe('Acme');
    // A deal no webhook dated gets no times from an import.
    expect(mergeDeal(undefined, incoming({ amount: '250' }), context).draft).not.toHaveProperty(
      'fieldTimes',
    );
  });

  it('dates the amount of a currency changed alone at the time the source gives the change', () => {
    const created = moment('2029-06-01T09:00:00Z');
    const usd = mergeDeal(
      undefined,
      {
        ...incoming({ amount: '99.99', createdAt: created }),
        fieldTimes: { amount: created.at, createdAt: created.at },
      },
      context,
    ).draft;
    const changedAt = Date.parse('2029-07-01T09:00:00Z');
    const eur = mergeDeal(
      stored(usd),
      { ...incoming({ currency: 'EUR' }), fieldTimes: { currency: changedAt } },
      context,
    ).draft;
    expect(eur.amountHistory).toEqual([
      { at: created, minor: 9999, currency: 'USD' },
      { at: { at: changedAt, dateOnly: false }, minor: 9999, currency: 'EUR' },
    ]);
    // Undated, as an import gives it, the change happened when it was saved.
    const imported = mergeDeal(stored(usd), incoming({ currency: 'EUR' }), context).draft;
    expect(imported.amountHistory.at(-1)).toEqual({ at: atNow, minor: 9999, currency: 'EUR' });
    // Delivered after a newer amount, it cannot go back in its place: the history would show that
    // amount in the new currency before it was set. It is the latest, as the deal says.
    const raisedAt = Date.parse('2029-08-01T09:00:00Z');
    const raised = mergeDeal(
      stored(usd),
      { ...incoming({ amount: '150.00' }), fieldTimes: { amount: raisedAt } },
      context,
    ).draft;
    const late = mergeDeal(
      stored(raised),
      { ...incoming({ currency: 'EUR' }), fieldTimes: { currency: changedAt } },
      context,
    ).draft;
    expect([late.amountMinor, late.currency]).toEqual([15000, 'EUR']);
    expect(late.amountHistory.map((e) => [e.minor, e.currency])).toEqual([
      [9999, 'USD'],
      [15000, 'USD'],
      [15000, 'EUR'],
    ]);
    expect(late.amountHistory.at(-1)?.at).toEqual(atNow);
  });

  it('reads a late amount in the currency in force at its own time, not the one set after it', () => {
    const t = Date.parse('2029-06-01T09:00:00Z');
    const at = (ms: number): Moment => ({ at: ms, dateOnly: false });
    const webhook = (row: Omit<DealRow, 'externalId'>, times: IncomingDeal['fieldTimes']) => ({
      ...incoming(row),
      ...(row.amount === undefined
        ? {}
        : { amountChanges: [{ at: at(times?.amount ?? 0), amount: row.amount }] }),
      fieldTimes: times,
    });
    const usd = mergeDeal(undefined, webhook({ amount: '100.00' }, { amount: t }), context).draft;
    const yen = mergeDeal(
      stored(usd),
      webhook({ currency: 'JPY', amount: '15000' }, { currency: t + 300_000, amount: t + 300_000 }),
      context,
    ).draft;
    expect([yen.amountMinor, yen.currency]).toEqual([15000, 'JPY']);
    // Delivered late: at its time the deal was still in dollars.
    const late = mergeDeal(
      stored(yen),
      webhook({ amount: '120.50' }, { amount: t + 200_000 }),
      context,
    );
    expect(late.quirks).toEqual([]);
    expect([late.draft.amountMinor, late.draft.currency]).toEqual([15000, 'JPY']);
    expect(late.draft.amountHistory).toEqual([
      { at: at(t), minor: 10000, currency: 'USD' },
      { at: at(t + 200_000), minor: 12050, currency: 'USD' },
      { at: at(t + 300_000), minor: 15000, currency: 'JPY' },
    ]);
    // A whole number is no exception: 120 then was 120 dollars, not 120 yen.
    const whole = mergeDeal(
      stored(yen),
      webhook({ amount: '120' }, { amount: t + 200_000 }),
      context,
    ).draft.amountHistory;
    expect(whole[1]).toEqual({ at: at(t + 200_000), minor: 12000, currency: 'USD' });
    // After the change it is in yen; replayed, it adds nothing.
    const later = mergeDeal(
      stored(late.draft),
      webhook({ amount: '16000' }, { amount: t + 400_000 }),
      context,
    ).draft;
    expect(later.amountHistory.at(-1)).toEqual({
      at: at(t + 400_000),
      minor: 16000,
      currency: 'JPY',
    });
    const replayed = mergeDeal(
      stored(late.draft),
      webhook({ amount: '120.50' }, { amount: t + 200_000 }),
      context,
    ).draft;
    expect(replayed.amountHistory).toEqual(late.draft.amountHistory);
  });

  it('reads a late amount in the currency of the change the stored deal dates before it', () => {
    const t = Date.parse('2029-06-01T09:00:00Z');
    const at = (ms: number): Moment => ({ at: ms, dateOnly: false });
    const amount = (value: string, ms: number): IncomingDeal => ({
      ...incoming({ amount: value }),
      amountChanges: [{ at: at(ms), amount: value }],
      fieldTimes: { amount: ms },
    });
    const currency = (code: string, ms: number): IncomingDeal => ({
      ...incoming({ currency: code }),
      fieldTimes: { currency: ms },
    });
    const steps = (start: DealDraft | undefined, ...inputs: IncomingDeal[]) =>
      inputs.reduce<DealDraft | undefined>(
        (deal, input) => mergeDeal(deal && stored(deal), input, context).draft,
        start,
      ) as DealDraft;
    const rows = (draft: DealDraft) =>
      draft.amountHistory.map((e) => [e.at.at, e.minor, e.currency]);
    // The currency changed alone, dated; then a newer amount; then two late ones, from before the
    // change (in dollars) and from after it (in yen).
    const yen = steps(
      undefined,
      amount('100.00', t),
      currency('JPY', t + 300_000),
      amount('200', t + 400_000),
    );
    expect(rows(yen)).toEqual([
      [t, 10000, 'USD'],
      [t + 300_000, 100, 'JPY'],
      [t + 400_000, 200, 'JPY'],
    ]);
    const before = mergeDeal(stored(yen), amount('99.50', t + 100_000), context);
    expect(before.quirks).toEqual([]);
    expect(rows(before.draft)).toEqual([
      [t, 10000, 'USD'],
      [t + 100_000, 9950, 'USD'],
      [t + 300_000, 100, 'JPY'],
      [t + 400_000, 200, 'JPY'],
    ]);
    expect([before.draft.amountMinor, before.draft.currency]).toEqual([200, 'JPY']);
    const after = steps(yen, amount('350', t + 350_000));
    expect(rows(after).at(2)).toEqual([t + 350_000, 350, 'JPY']);
    expect(mergeDeal(stored(yen), amount('350.50', t + 350_000), context).quirks).toEqual([
      'amount rounded to minor units',
    ]);
    // A currency change delivered late, after a newer amount, relabels no amount: the newer one
    // stays in dollars, and the change is the latest. A late amount from after the change is in
    // the new currency, though the amount history has no entry at the change.
    const raised = steps(undefined, amount('100.00', t), amount('150.00', t + 200_000));
    const late = steps(raised, currency('EUR', t + 100_000));
    expect(rows(late)).toEqual([
      [t, 10000, 'USD'],
      [t + 200_000, 15000, 'USD'],
      [now, 15000, 'EUR'],
    ]);
    expect(rows(steps(late, amount('120.00', t + 150_000))).at(1)).toEqual([
      t + 150_000,
      12000,
      'EUR',
    ]);
  });
});

describe('mergeDeal: a stored deal meets new input', () => {
  const first = mergeDeal(
    undefined,
    incoming(
      {
        name: 'Acme platform',
        amount: '1000',
        currency: 'USD',
        createdAt: moment('2027-01-10'),
        stage: 'Demo',
        owner: 'Dana',
        emails: ['Ana@Acme.example'],
        pipeline: 'New business',
      },
      [
        ['Discovery', '2027-01-10'],
        ['Demo', '2027-02-01'],
      ],
    ),
    context,
  ).draft;

  it('takes the fields the input gives and keeps the others', () => {
    const { draft } = mergeDeal(
      stored(first),
      incoming({
        owner: 'Lee',
        segment: 'SMB',
        // As the identity graph keeps them: one form however typed or pasted.
        emails: [' bob@acme.example ', 'mailto:Ana@Acme.example\u200b', 'jose\u0301@acme.example'],
      }),
      context,
    );
    expect(draft).toMatchObject({
      name: 'Acme platform',
      owner: 'Lee',
      segment: 'SMB',
      pipeline: 'New business',
      stage: 'Demo',
      status: 'open',
      amountMinor: 100000,
      currency: 'USD',
      createdAt: moment('2027-01-10'),
    });
    expect(draft.emails).toEqual([
      'ana@acme.example',
      'bob@acme.example',
      'jos\u00e9@acme.example',
    ]);
    expect(draft.history).toEqual(first.history);
  });

  it('appends a changed amount to the amount history, and nothing for the same amount', () => {
    const changed = mergeDeal(stored(first), incoming({ amount: '1250.00' }), context).draft;
    expect(changed.amountMinor).toBe(125000);
    expect(changed.amountHistory).toEqual([
      { at: moment('2027-01-10'), minor: 100000, currency: 'USD' },
      { at: atNow, minor: 125000, currency: 'USD' },
    ]);
    const same = mergeDeal(stored(first), incoming({ amount: '1000.00' }), context).draft;
    expect(same.amountHistory).toEqual(first.amountHistory);
  });

  it('keeps the number when only the currency changes, in the minor units of the new one', () => {
    const yen = mergeDeal(stored(first), incoming({ currency: 'JPY' }), context).draft;
    expect(yen).toMatchObject({ amountMinor: 1000, currency: 'JPY' });
    expect(yen.amountHistory).toEqual([
      { at: moment('2027-01-10'), minor: 100000, currency: 'USD' },
      { at: atNow, minor: 1000, currency: 'JPY' },
    ]);
    const dinar = mergeDeal(stored(yen), incoming({ currency: 'KWD' }), context).draft;
    expect(dinar).toMatchObject({ amountMinor: 1000000, currency: 'KWD' });
    const cents = mergeDeal(
      stored(first),
      incoming({ amount: '1000.55', currency: 'EUR' }),
      context,
    ).draft;
    const rounded = mergeDeal(stored(cents), incoming({ currency: 'JPY' }), context);
    expect(rounded.draft.amountMinor).toBe(1001);
    expect(rounded.quirks).toContain('amount rounded to minor units');
  });

  it('puts a stage change that arrives late in its place, without changing the current stage', () => {
    const won = mergeDeal(
      stored(first),
      incoming({ stage: 'Closed Won', closedAt: moment('2027-03-01') }),
      context,
    ).draft;
    expect(stages(won)).toEqual(['Discovery', 'Demo', 'Closed Won']);
    const late = mergeDeal(
      stored(won),
      incoming(undefined, [['Proposal', '2027-02-15']]),
      context,
    ).draft;
    expect(stages(late)).toEqual(['Discovery', 'Demo', 'Proposal', 'Closed Won']);
    expect(late.stage).toBe('Closed Won');
    expect(late.status).toBe('won');
    expect(late.closedAt).toEqual(moment('2027-03-01'));
  });

  it('does not re-open a won deal when its history is replayed and its stage name says nothing', () => {
    // Pipedrive keeps a won deal in its last open stage; the status says won.
    const won = mergeDeal(
      undefined,
      incoming({ status: 'won', stage: 'Signed', closedAt: moment('2027-03-01') }, [
        ['Signed', '2027-02-20'],
      ]),
      context,
    ).draft;
    const replay = mergeDeal(stored(won), incoming(undefined, [['Signed', '2027-02-20']]), context);
    expect(replay.draft.status).toBe('won');
    expect(replay.draft.closedAt).toEqual(moment('2027-03-01'));
    expect(replay.quirks).not.toContain('re-opened');
    const earlier = mergeDeal(stored(won), incoming(undefined, [['Intro', '2027-01-02']]), context);
    expect(earlier.draft.status).toBe('won');
    expect(stages(earlier.draft)).toEqual(['Intro', 'Signed']);
  });

  it('dates an undated move to a new stage by the import, once', () => {
    const moved = mergeDeal(stored(first), incoming({ stage: 'Proposal' }), context).draft;
    expect(moved.history.at(-1)).toEqual({ stage: 'Proposal', enteredAt: atNow });
    const again = mergeDeal(stored(moved), incoming({ stage: 'Proposal' }), {
      ...context,
      now: now + 86_400_000,
    }).draft;
    expect(again.history).toEqual(moved.history);
  });

  it('does not date an undated first stage by the import, on the first import or the next', () => {
    const fresh = mergeDeal(undefined, incoming({ stage: 'Prospecting' }), context).draft;
    expect(fresh.history).toEqual([]);
    const reimported = mergeDeal(stored(fresh), incoming({ stage: 'Prospecting' }), {
      ...context,
      now: now + 86_400_000,
    }).draft;
    expect(reimported).toEqual(fresh);
  });

  it('keeps a re-opened deal with its history and lists it', () => {
    const won = mergeDeal(
      stored(first),
      incoming({ stage: 'Closed Won', status: 'won', closedAt: moment('2027-03-01') }),
      context,
    ).draft;
    const reopened = mergeDeal(stored(won), incoming({ stage: 'Negotiation', status: 'open' }), {
      ...context,
      now: now + 1000,
    });
    expect(reopened.quirks).toContain('re-opened');
    expect(reopened.draft.status).toBe('open');
    expect(reopened.draft.closedAt).toBeNull();
    expect(stages(reopened.draft)).toEqual(['Discovery', 'Demo', 'Closed Won', 'Negotiation']);
    expect(reopened.draft.history.at(-1)?.enteredAt).toEqual({ at: now + 1000, dateOnly: false });
    // A move to an open stage alone re-opens it too.
    const byStage = mergeDeal(stored(won), incoming({ stage: 'Negotiation' }), context);
    expect(byStage.draft.status).toBe('open');
    expect(byStage.quirks).toContain('re-opened');
  });

  it('lists history duplicates only within the input, not against the store', () => {
    const again = mergeDeal(
      stored(first),
      incoming({}, [
        ['Discovery', '2027-01-10'],
        ['Demo', '2027-02-01'],
      ]),
      context,
    );
    expect(again.quirks).toEqual([]);
    expect(again.draft).toEqual(first);
  });
});

const stageNames = ['Lead', 'Demo', 'Proposal', 'Closed Won', 'Closed Lost', 'Gagné', 'Perdu'];
const dayMs = 86_400_000;
const start = Date.parse('2027-01-01T00:00:00Z');

const momentArb: fc.Arbitrary<Moment> = fc.oneof(
  fc.integer({ min: 0, max: 400 }).map((day) => ({ at: start + day * dayMs, dateOnly: true })),
  fc
    .integer({ min: 0, max: 400 * 24 })
    .map((hour) => ({ at: start + hour * 3_600_000, dateOnly: false })),
);
const amountArb = fc.oneof(
  fc.integer({ min: 0, max: 10_000_000 }).map(String),
  fc
    .tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 9999 }))
    .map(([whole, fraction]) => `${whole}.${fraction}`),
);
const rowArb: fc.Arbitrary<Omit<DealRow, 'externalId'>> = fc.record(
  {
    name: fc.constantFrom('Acme', 'Globex'),
    stage: fc.constantFrom(...stageNames),
    status: fc.constantFrom('open', 'won', 'lost'),
    createdAt: momentArb,
    closedAt: momentArb,
    amount: amountArb,
    currency: fc.constantFrom('USD', 'EUR', 'JPY'),
    owner: fc.constantFrom('Dana', 'Lee'),
    emails: fc.subarray(['a@x.example', 'B@x.example', 'c@y.example']),
    pipeline: fc.constantFrom('default', 'Renewals'),
  },
  { requiredKeys: [] },
);
const historyArb = fc.array(
  fc.record(
    {
      stage: fc.constantFrom(...stageNames),
      enteredAt: momentArb,
      amount: amountArb,
    },
    { requiredKeys: ['stage', 'enteredAt'] },
  ),
  { maxLength: 6 },
);
const incomingArb: fc.Arbitrary<IncomingDeal> = fc
  .record({ row: fc.option(rowArb, { nil: undefined }), history: historyArb })
  .map(({ row, history }) => ({
    externalId: 'D-1',
    row: row === undefined ? undefined : { externalId: 'D-1', ...row },
    history: history.map((entry) => ({ externalId: 'D-1', ...entry })),
  }));

describe('mergeDeal: a dated stage older than the stored history', () => {
  it('leaves the stage and status alone, whichever input dated the stored ones', () => {
    // Won by a stage change alone: no field time says when the stage was set.
    const won = mergeDeal(
      undefined,
      incoming(undefined, [
        ['Proposal', '2026-10-20T00:00:00Z'],
        ['Closed Won', '2026-11-01T00:00:00Z'],
      ]),
      context,
    ).draft;
    expect(won).toMatchObject({ stage: 'Closed Won', status: 'won' });
    const proposalAt = Date.parse('2026-10-20T00:00:00Z');
    const late = mergeDeal(
      stored(won),
      {
        ...incoming({ stage: 'Proposal', status: 'open' }, [['Proposal', '2026-10-20T00:00:00Z']]),
        fieldTimes: { stage: proposalAt, status: proposalAt },
      },
      context,
    );
    expect(late.draft).toMatchObject({
      stage: 'Closed Won',
      status: 'won',
      closedAt: moment('2026-11-01T00:00:00Z'),
    });
    expect(stages(late.draft)).toEqual(['Proposal', 'Closed Won']);
    expect(late.quirks).not.toContain('re-opened');
    // One dated at or after the last entry still moves the deal.
    const reopenedAt = Date.parse('2026-11-05T00:00:00Z');
    const reopened = mergeDeal(
      stored(won),
      {
        ...incoming({ stage: 'Proposal' }, [['Proposal', '2026-11-05T00:00:00Z']]),
        fieldTimes: { stage: reopenedAt },
      },
      context,
    ).draft;
    expect(reopened).toMatchObject({ stage: 'Proposal', status: 'open', closedAt: null });
  });

  it('counts a stored close dated by day alone as the end of that day', () => {
    const won = mergeDeal(
      undefined,
      incoming({ stage: 'Closed Won', closedAt: moment('2026-03-05') }, [
        ['Proposal', '2026-03-05T14:00:00Z'],
      ]),
      context,
    ).draft;
    const eveningAt = Date.parse('2026-03-05T20:00:00Z');
    const late = mergeDeal(
      stored(won),
      {
        ...incoming({ stage: 'Proposal', status: 'open' }, [['Proposal', '2026-03-05T20:00:00Z']]),
        fieldTimes: { stage: eveningAt, status: eveningAt },
      },
      context,
    );
    expect(late.draft).toMatchObject({ stage: 'Closed Won', status: 'won' });
    expect(stages(late.draft)).toEqual(['Proposal', 'Proposal', 'Closed Won']);
    expect(late.quirks).not.toContain('re-opened');
  });
});

describe('mergeDeal: replay', () => {
  it('reads amounts in time order, whatever the order of the rows, so a replay adds none', () => {
    const at = (text: string): Moment => ({ at: Date.parse(`${text}Z`), dateOnly: false });
    const input: IncomingDeal = {
      externalId: 'D-1',
      row: undefined,
      history: [
        { externalId: 'D-1', stage: 'Lead', enteredAt: at('2027-01-01T00:00:00'), amount: '12' },
        { externalId: 'D-1', stage: 'Lead', enteredAt: at('2027-01-03T00:00:00'), amount: '12' },
        { externalId: 'D-1', stage: 'Lead', enteredAt: at('2027-01-02T00:00:00'), amount: '0' },
      ],
    };
    const once = mergeDeal(undefined, input, context).draft;
    expect(once.amountHistory.map((change) => [change.at.at, change.minor])).toEqual([
      [Date.parse('2027-01-01T00:00:00Z'), 1200],
      [Date.parse('2027-01-02T00:00:00Z'), 0],
      [Date.parse('2027-01-03T00:00:00Z'), 1200],
    ]);
    expect(once.amountMinor).toBe(1200);
    expect(mergeDeal(stored(once), input, context).draft).toEqual(once);
  });

  it('merging the same input twice equals merging it once (new or stored deal)', () => {
    fc.assert(
      fc.property(
        fc.option(incomingArb, { nil: undefined }),
        incomingArb,
        fc.integer({ min: 0, max: 1000 }),
        (before, input, later) => {
          const base =
            before === undefined ? undefined : stored(mergeDeal(undefined, before, context).draft);
          const once = mergeDeal(base, input, context).draft;
          const laterContext = { ...context, now: now + later * dayMs };
          const twice = mergeDeal(stored(once), input, laterContext).draft;
          expect(twice).toEqual(once);
        },
      ),
      { numRuns: 500 },
    );
  });
});
