import { describe, expect, it } from 'vitest';
import { ClosedloopError } from '../../core/errors.js';
import type { DealDraft } from '../../store/ports.js';
import { mergeDeal } from '../import/merge-deal.js';
import { outcomeOfStage } from '../stage-words.js';
import { dealsFromHubspot } from './hubspot.js';

const t0 = Date.UTC(2027, 2, 1, 9);
const minute = 60_000;
const at = (ms: number) => ({ at: ms, dateOnly: false });

const created = (objectId: number, occurredAt: number) => ({
  subscriptionType: 'deal.creation',
  objectId,
  occurredAt,
});
const changed = (
  objectId: number,
  propertyName: string,
  propertyValue: unknown,
  occurredAt: number,
) => ({
  subscriptionType: 'deal.propertyChange',
  objectId,
  propertyName,
  propertyValue,
  occurredAt,
});

/** The message of the ClosedloopError a delivery is refused with. */
function refusal(events: unknown[]): string {
  try {
    dealsFromHubspot(events);
  } catch (error) {
    expect(error).toBeInstanceOf(ClosedloopError);
    expect((error as ClosedloopError).code).toBe('CL_ERR_DEAL_INVALID');
    return (error as ClosedloopError).message;
  }
  throw new Error('the delivery was accepted');
}

describe('dealsFromHubspot', () => {
  it('applies a deal’s events in occurredAt order: an older change arriving late does not win', () => {
    const { deals, ignored } = dealsFromHubspot([
      changed(901, 'amount', '9000', t0 + 2 * minute),
      changed(901, 'dealname', 'Acme (renewal)', t0 + 2 * minute),
      changed(901, 'closedate', String(t0 + 30 * 86_400_000), t0 + 3 * minute),
      changed(901, 'amount', '5000', t0 + minute),
      changed(901, 'dealname', 'Acme', t0 + minute),
      changed(901, 'closedate', String(t0 + 10 * 86_400_000), t0 + minute),
    ]);
    expect(ignored).toBe(0);
    expect(deals).toEqual([
      {
        externalId: '901',
        row: {
          externalId: '901',
          amount: '9000',
          name: 'Acme (renewal)',
          expectedCloseAt: at(t0 + 30 * 86_400_000),
        },
        history: [],
        amountChanges: [
          { at: at(t0 + minute), amount: '5000' },
          { at: at(t0 + 2 * minute), amount: '9000' },
        ],
        // Each field dated by the change that set it, for deliveries still to come.
        fieldTimes: {
          amount: t0 + 2 * minute,
          name: t0 + 2 * minute,
          expectedCloseAt: t0 + 3 * minute,
        },
      },
    ]);
  });

  it('dates stage and amount history at the events’ occurredAt, not at the time of saving', () => {
    const { deals } = dealsFromHubspot([
      changed(902, 'dealstage', 'closedwon', t0 + 5 * minute),
      changed(902, 'amount', '9000', t0 + 5 * minute),
      // An amount changed with no stage change at that time.
      changed(902, 'amount', '7000', t0 + 2 * minute),
      created(902, t0),
      changed(902, 'amount', '5000', t0),
      changed(902, 'dealstage', 'appointmentscheduled', t0),
    ]);
    expect(deals).toHaveLength(1);
    const [deal] = deals;
    expect(deal?.row).toEqual({ externalId: '902', createdAt: at(t0), amount: '9000' });
    expect(deal?.history).toEqual([
      { externalId: '902', stage: 'Appointment Scheduled', enteredAt: at(t0) },
      { externalId: '902', stage: 'Closed Won', enteredAt: at(t0 + 5 * minute) },
    ]);
    // Saved a day later, the amounts keep their own times.
    const { draft } = mergeDeal(undefined, deal as NonNullable<typeof deal>, {
      source: 'hubspot',
      workspaceCurrency: 'USD',
      now: t0 + 86_400_000,
      outcomeOf: (_pipeline, stage) => outcomeOfStage(stage),
    });
    expect(draft.amountMinor).toBe(900_000);
    expect(draft.amountHistory).toEqual([
      { at: at(t0), minor: 500_000, currency: 'USD' },
      { at: at(t0 + 2 * minute), minor: 700_000, currency: 'USD' },
      { at: at(t0 + 5 * minute), minor: 900_000, currency: 'USD' },
    ]);
    expect(draft.closedAt).toEqual(at(t0 + 5 * minute));
  });

  it('reads deal_currency_code as the deal’s currency, dated, and its amounts in it', () => {
    const { deals, ignored } = dealsFromHubspot([
      created(910, t0),
      changed(910, 'amount', '50000', t0 + 2 * minute),
      changed(910, 'deal_currency_code', ' eur ', t0 + minute),
      changed(911, 'deal_currency_code', '', t0),
    ]);
    expect(ignored).toBe(1);
    expect(deals).toEqual([
      {
        externalId: '910',
        row: { externalId: '910', createdAt: at(t0), currency: 'EUR', amount: '50000' },
        history: [],
        amountChanges: [{ at: at(t0 + 2 * minute), amount: '50000' }],
        fieldTimes: { createdAt: t0, currency: t0 + minute, amount: t0 + 2 * minute },
      },
    ]);
    const { draft } = mergeDeal(undefined, deals[0] as NonNullable<(typeof deals)[0]>, {
      source: 'hubspot',
      workspaceCurrency: 'USD',
      now: t0 + 86_400_000,
      outcomeOf: (_pipeline, stage) => outcomeOfStage(stage),
    });
    expect(draft).toMatchObject({ amountMinor: 5_000_000, currency: 'EUR' });
    expect(draft.amountHistory).toEqual([
      { at: at(t0 + 2 * minute), minor: 5_000_000, currency: 'EUR' },
    ]);
    expect(refusal([changed(910, 'deal_currency_code', 'QQQ', t0)])).toBe(
      'events.0.propertyValue: expected an ISO 4217 code such as EUR, got "QQQ"',
    );
  });

  it('refuses an event without a numeric occurredAt (a retry would date it anew), naming it', () => {
    const stage = changed(903, 'dealstage', 'contractsent', t0);
    expect(refusal([stage, { ...stage, occurredAt: undefined }])).toBe(
      'events.1.occurredAt: expected epoch milliseconds from 1900 to 2999, got nothing',
    );
    expect(refusal([{ ...stage, occurredAt: '1798761600000' }])).toBe(
      'events.0.occurredAt: expected epoch milliseconds from 1900 to 2999, got "1798761600000"',
    );
    // Past the years a Date holds, or in year 255479: no date the reports could work with.
    for (const occurredAt of [9_000_000_000_000_000, 8_000_000_000_000_000, -1]) {
      expect(refusal([{ ...stage, occurredAt }])).toBe(
        `events.0.occurredAt: expected epoch milliseconds from 1900 to 2999, got ${occurredAt}`,
      );
    }
    // With its time given, a retried delivery says exactly the same.
    expect(dealsFromHubspot([stage])).toEqual(dealsFromHubspot([stage]));
  });

  it('makes no deal of a deletion or of an event it ignores, and counts those ignored', () => {
    const { deals, ignored } = dealsFromHubspot([
      { subscriptionType: 'deal.deletion', objectId: 904, occurredAt: t0 },
      changed(905, 'hs_lastmodifieddate', String(t0), t0),
      { subscriptionType: 'contact.creation', objectId: 77, occurredAt: t0 },
      {
        subscriptionType: 'deal.associationChange',
        associationType: 'DEAL_TO_CONTACT',
        fromObjectId: 906,
        toObjectId: 77,
        associationRemoved: true,
        occurredAt: t0,
      },
      created(907, t0),
    ]);
    expect(deals).toEqual([
      {
        externalId: '907',
        row: { externalId: '907', createdAt: at(t0) },
        history: [],
        fieldTimes: { createdAt: t0 },
      },
    ]);
    expect(ignored).toBe(4);
  });

  it('ignores an empty closedate rather than storing 1 January 1970, and refuses a non-date', () => {
    const cleared = dealsFromHubspot([changed(908, 'closedate', '', t0)]);
    expect(cleared).toEqual({ deals: [], ignored: 1 });
    const set = dealsFromHubspot([
      changed(908, 'closedate', '1798761600000', t0),
      changed(908, 'closedate', '', t0 + minute),
    ]);
    expect(set.deals[0]?.row).toEqual({
      externalId: '908',
      expectedCloseAt: at(1_798_761_600_000),
    });
    expect(set.ignored).toBe(1);
    expect(refusal([changed(908, 'closedate', 'next week', t0)])).toBe(
      'events.0.propertyValue: expected closedate as epoch milliseconds from 1900 to 2999, got "next week"',
    );
    expect(refusal([changed(908, 'closedate', '253402300800000', t0)])).toBe(
      'events.0.propertyValue: expected closedate as epoch milliseconds from 1900 to 2999, got "253402300800000"',
    );
  });

  it('names the default pipeline as HubSpot exports do, as its stages are named', () => {
    const { deals } = dealsFromHubspot([
      changed(920, 'pipeline', 'default', t0),
      changed(920, 'dealstage', 'contractsent', t0),
    ]);
    expect(deals[0]?.row).toEqual({ externalId: '920', pipeline: 'Sales Pipeline' });
    expect(deals[0]?.history).toEqual([
      { externalId: '920', stage: 'Contract Sent', enteredAt: at(t0) },
    ]);
    expect(deals[0]?.fieldTimes).toEqual({ pipeline: t0 });
    // A pipeline named otherwise is kept as sent.
    expect(dealsFromHubspot([changed(921, 'pipeline', 'Renewals', t0)]).deals[0]?.row).toEqual({
      externalId: '921',
      pipeline: 'Renewals',
    });
  });

  it('keeps the stored pipeline of a deal a custom pipeline’s id names, else stores the id', () => {
    const merge = (stored: DealDraft | undefined, events: unknown[]) => {
      const [deal] = dealsFromHubspot(events).deals;
      return mergeDeal(
        stored && { ...stored, id: 'd_1', workspaceId: 'ws_1', updatedAt: t0 },
        deal as NonNullable<typeof deal>,
        {
          source: 'hubspot',
          workspaceCurrency: 'USD',
          now: t0 + 86_400_000,
          outcomeOf: (_pipeline, stage) => outcomeOfStage(stage),
        },
      ).draft;
    };
    // New, the id is all there is to go by.
    const numbered = merge(undefined, [created(930, t0), changed(930, 'pipeline', '12345678', t0)]);
    expect(numbered.pipeline).toBe('12345678');
    // Named by an export (or any source that names it), the name stays: the id says no more.
    const named = { ...numbered, pipeline: 'Renewals', fieldTimes: { pipeline: t0 } };
    const kept = merge(named, [changed(930, 'pipeline', '12345678', t0 + minute)]);
    expect(kept.pipeline).toBe('Renewals');
    expect(kept.fieldTimes).toEqual({ pipeline: t0 + minute });
    // A name the id cannot be — the default pipeline's, none, another id — gives way to it: the
    // deal moved to another pipeline.
    for (const pipeline of ['Sales Pipeline', 'default', '87654321']) {
      const moved = merge({ ...named, pipeline }, [
        changed(930, 'pipeline', '12345678', t0 + minute),
      ]);
      expect([pipeline, moved.pipeline]).toEqual([pipeline, '12345678']);
    }
    // Back to the default pipeline, named.
    const back = merge(kept, [changed(930, 'pipeline', 'default', t0 + 2 * minute)]);
    expect(back.pipeline).toBe('Sales Pipeline');
    // A late id changes nothing, as any older change.
    const late = merge(back, [changed(930, 'pipeline', '87654321', t0 + minute)]);
    expect(late.pipeline).toBe('Sales Pipeline');
  });

  it('answers a malformed event with the field it names, not a crash', () => {
    const good = created(909, t0);
    const cases: [unknown[], string][] = [
      [[null], 'events.0: expected an object, got null'],
      [[good, 5], 'events.1: expected an object, got 5'],
      [
        [good, good, changed(909, 'amount', 5, t0)],
        'events.2.propertyValue: expected a string, got 5',
      ],
      [
        [{ ...good, objectId: undefined }],
        'events.0.objectId: expected a number or a string, got nothing',
      ],
      [
        [{ ...good, objectId: { id: 1 } }],
        'events.0.objectId: expected a number or a string, got {"id":1}',
      ],
      [[{ ...good, subscriptionType: 7 }], 'events.0.subscriptionType: expected a string, got 7'],
      [
        [changed(909, 'amount', '1e21', t0)],
        'events.0.propertyValue: expected an amount of 0 or more such as 1200.50, got "1e21"',
      ],
      [
        [changed(909, 'amount', '99999999999999999', t0)],
        'events.0.propertyValue: expected an amount of 0 or more such as 1200.50, got "99999999999999999"',
      ],
      [
        [good, changed(909, 'amount', '-500', t0)],
        'events.1.propertyValue: expected an amount of 0 or more such as 1200.50, got "-500"',
      ],
      [
        [changed(909, 'amount', '.5', t0)],
        'events.0.propertyValue: expected an amount of 0 or more such as 1200.50, got ".5"',
      ],
    ];
    for (const [events, message] of cases) expect(refusal(events)).toBe(message);
  });
});
