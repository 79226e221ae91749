import { describe, expect, it } from 'vitest';
import { ClosedloopError } from '../../core/errors.js';
import { dealFromPipedrive } from './pipedrive.js';

const names = { pipelines: { '1': 'Sales' }, stages: { '3': 'Qualified', '4': 'Negotiation' } };
const at = (iso: string) => ({ at: Date.parse(iso), dateOnly: false });

/** A v1 delivery: `current`, and `previous` the whole deal before the change. */
const v1Deal = {
  id: 77,
  title: 'Globex expansion',
  value: 2500,
  currency: 'EUR',
  status: 'open',
  stage_id: 4,
  pipeline_id: 1,
  add_time: '2027-01-05 08:00:00',
  update_time: '2027-02-12 09:30:00',
  stage_change_time: '2027-02-10 10:00:00',
};
const v1 = (current: Record<string, unknown>, previous: Record<string, unknown> | null) => ({
  meta: { action: 'updated', object: 'deal', id: current.id, timestamp: 1_800_000_000 },
  current,
  previous,
});

/** A v2 delivery: `data`, and `previous` only the fields that changed. */
const v2Deal = {
  id: 88,
  title: 'Initech renewal',
  value: 1200.5,
  currency: 'USD',
  status: 'open',
  stage_id: 4,
  pipeline_id: 1,
  add_time: '2027-01-05T08:00:00Z',
  update_time: '2027-02-12T09:30:00Z',
  stage_change_time: null,
};
const v2 = (
  action: 'create' | 'change',
  data: Record<string, unknown>,
  previous: Record<string, unknown> | null,
) => ({
  meta: { action, entity: 'deal', entity_id: String(data.id), version: '2.0' },
  data,
  previous,
});

/** The error `dealFromPipedrive` throws for a payload, to assert its code and message. */
function refusal(payload: unknown): ClosedloopError {
  try {
    dealFromPipedrive(payload, names);
  } catch (error) {
    if (error instanceof ClosedloopError) return error;
    throw error;
  }
  throw new Error('expected the payload to be refused');
}

describe('dealFromPipedrive deletions', () => {
  it('reads a deletion as nothing to merge, though the payload still carries the deal', () => {
    const deleted = {
      ...v2('change', v2Deal, null),
      meta: { ...v2('change', v2Deal, null).meta, action: 'delete' },
    };
    expect(dealFromPipedrive(deleted, names)).toBeUndefined();
    const v1Deleted = {
      ...v1(v1Deal, v1Deal),
      meta: { ...v1(v1Deal, v1Deal).meta, action: 'deleted' },
    };
    expect(dealFromPipedrive(v1Deleted, names)).toBeUndefined();
    expect(dealFromPipedrive(v1(v1Deal, v1Deal), names)?.externalId).toBe('77');
  });
});

describe('dealFromPipedrive stage history', () => {
  it('records no stage for v2 edits of other fields, and the first stage of a new deal once', () => {
    const titles = ['Initech renewal 2', 'Initech renewal 3', 'Initech renewal 4'];
    for (const [i, title] of titles.entries()) {
      const edit = v2(
        'change',
        { ...v2Deal, title, update_time: `2027-02-1${3 + i}T09:00:00Z` },
        { title: i === 0 ? v2Deal.title : titles[i - 1] },
      );
      expect(dealFromPipedrive(edit, names)?.history).toEqual([]);
    }
    // A new deal enters its first stage when it is added, not when it was last updated.
    const created = dealFromPipedrive(v2('create', v2Deal, null), names);
    expect(created?.history).toEqual([
      { externalId: '88', stage: 'Negotiation', enteredAt: at('2027-01-05T08:00:00Z') },
    ]);
  });

  it('records a v1 stage change once, dated by stage_change_time', () => {
    const deal = dealFromPipedrive(v1(v1Deal, { ...v1Deal, stage_id: 3 }), names);
    expect(deal?.history).toEqual([
      { externalId: '77', stage: 'Negotiation', enteredAt: at('2027-02-10T10:00:00Z') },
    ]);
    // A v1 update that leaves the stage alone records nothing.
    const renamed = dealFromPipedrive(v1(v1Deal, { ...v1Deal, title: 'Globex' }), names);
    expect(renamed?.history).toEqual([]);
  });

  it('records a v2 stage change exactly once', () => {
    const moved = { ...v2Deal, stage_change_time: '2027-02-12T09:30:00Z' };
    const deal = dealFromPipedrive(v2('change', moved, { stage_id: 3 }), names);
    expect(deal?.history).toEqual([
      { externalId: '88', stage: 'Negotiation', enteredAt: at('2027-02-12T09:30:00Z') },
    ]);
  });
});

describe('dealFromPipedrive refuses what it cannot store exactly', () => {
  it('refuses a currency that is not an ISO 4217 code, naming currency', () => {
    const words = refusal(v2('change', { ...v2Deal, currency: 'US Dollar' }, { currency: 'USD' }));
    expect(words.code).toBe('CL_ERR_DEAL_INVALID');
    expect(words.message).toBe('currency: expected an ISO 4217 code such as EUR, got "US Dollar"');
    expect(refusal(v1({ ...v1Deal, currency: 'XYZ' }, v1Deal)).message).toBe(
      'currency: expected an ISO 4217 code such as EUR, got "XYZ"',
    );
    // Pipedrive's codes are accepted whatever their case.
    expect(dealFromPipedrive(v1({ ...v1Deal, currency: 'eur' }, v1Deal))?.row?.currency).toBe(
      'EUR',
    );
  });

  it('refuses a value that is no exact amount, naming value, and keeps ordinary ones', () => {
    const withValue = (value: unknown) => v2('change', { ...v2Deal, value }, { value: 1000 });
    const huge = refusal(withValue(1e21));
    expect(huge.code).toBe('CL_ERR_DEAL_INVALID');
    expect(huge.message).toBe('value: expected an amount such as 1200.50, got 1e+21');
    expect(refusal(withValue(1e-7)).message).toBe(
      'value: expected an amount such as 1200.50, got 1e-7',
    );
    expect(refusal(withValue('twelve')).message).toBe(
      'value: expected an amount such as 1200.50, got "twelve"',
    );
    expect(refusal(withValue(-5)).message).toBe(
      'value: expected an amount such as 1200.50, got -5',
    );
    // Safe as a number, but not in the minor units of every currency.
    expect(refusal(withValue(1e14)).message).toBe(
      'value: expected an amount such as 1200.50, got 100000000000000',
    );
    expect(dealFromPipedrive(withValue(1200.5))?.row?.amount).toBe('1200.5');
    expect(dealFromPipedrive(withValue('1200.50'))?.row?.amount).toBe('1200.50');
    expect(dealFromPipedrive(withValue(null))?.row).not.toHaveProperty('amount');
  });

  it('refuses a timestamp it cannot read, naming the field', () => {
    const error = refusal(v1({ ...v1Deal, add_time: 'last Tuesday' }, v1Deal));
    expect(error.code).toBe('CL_ERR_DEAL_INVALID');
    expect(error.message).toBe(
      'add_time: expected an ISO 8601 date such as 2027-03-01, got "last Tuesday"',
    );
    // Absent and null timestamps are simply not known.
    const noClose = dealFromPipedrive(v2('create', { ...v2Deal, expected_close_date: null }, null));
    expect(noClose?.row).not.toHaveProperty('expectedCloseAt');
  });
});

describe('dealFromPipedrive amounts', () => {
  it('dates the value by update_time, so a late update takes its place in the history', () => {
    const deal = dealFromPipedrive(v1({ ...v1Deal, value: 30 }, v1Deal), names);
    expect(deal?.amountChanges).toEqual([{ at: at('2027-02-12T09:30:00Z'), amount: '30' }]);
    expect(deal?.fieldTimes).toMatchObject({ amount: Date.parse('2027-02-12T09:30:00Z') });
    // No value, or no time to date it by: no dated amount.
    expect(dealFromPipedrive(v1({ ...v1Deal, value: null }, v1Deal))).not.toHaveProperty(
      'amountChanges',
    );
    const undated = dealFromPipedrive(v1({ ...v1Deal, update_time: undefined }, v1Deal));
    expect(undated).not.toHaveProperty('amountChanges');
    expect(undated?.row?.amount).toBe('2500');
  });
});

describe('dealFromPipedrive refuses fields of the wrong kind', () => {
  it('takes ids as whole numbers or non-empty strings only, naming the field', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ id: { a: 1 } }, 'id: expected a whole number or a non-empty string, got {"a":1}'],
      [{ id: '  ' }, 'id: expected a whole number or a non-empty string, got "  "'],
      [{ id: 1.5 }, 'id: expected a whole number or a non-empty string, got 1.5'],
      [{ stage_id: [1, 2] }, 'stage_id: expected a whole number or a non-empty string, got [1,2]'],
      [
        { pipeline_id: true },
        'pipeline_id: expected a whole number or a non-empty string, got true',
      ],
    ];
    for (const [fields, message] of cases) {
      const error = refusal(v1({ ...v1Deal, ...fields }, v1Deal));
      expect([error.code, error.message]).toEqual(['CL_ERR_DEAL_INVALID', message]);
    }
    // v2 names the deal in `meta.entity_id` too.
    const named = v2('change', v2Deal, { title: 'Initech' });
    const v2Body = { ...named, data: { ...named.data, id: undefined } };
    expect(refusal({ ...v2Body, meta: { ...v2Body.meta, entity_id: [88] } }).message).toBe(
      'meta.entity_id: expected a whole number or a non-empty string, got [88]',
    );
    expect(dealFromPipedrive(v2Body, names)?.externalId).toBe('88');
    expect(dealFromPipedrive(v1({ ...v1Deal, id: ' 77 ' }, v1Deal))?.externalId).toBe('77');
  });

  it('refuses a title that is no string and a status Pipedrive does not have', () => {
    expect(refusal(v1({ ...v1Deal, title: 5 }, v1Deal)).message).toBe(
      'title: expected a string, got 5',
    );
    expect(refusal(v1({ ...v1Deal, status: 'WON' }, v1Deal)).message).toBe(
      'status: expected open, won, lost or deleted, got "WON"',
    );
    expect(refusal(v1({ ...v1Deal, status: 1 }, v1Deal)).message).toBe(
      'status: expected a string, got 1',
    );
    // Null or blank is no value; a deleted deal keeps the status it had.
    const blank = dealFromPipedrive(v1({ ...v1Deal, title: null, status: 'deleted' }, v1Deal));
    expect(blank?.row).not.toHaveProperty('name');
    expect(blank?.row).not.toHaveProperty('status');
  });
});
