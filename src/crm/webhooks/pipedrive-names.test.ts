import { describe, expect, it } from 'vitest';
import { parsePipedriveStages } from './pipedrive-names.js';

describe("Pipedrive's stage list", () => {
  it('names stages and pipelines from GET /v1/stages', () => {
    const response = {
      success: true,
      data: [
        { id: 1, order_nr: 1, name: 'Lead In', pipeline_id: 1, pipeline_name: 'Sales' },
        { id: 3, order_nr: 2, name: ' Qualified ', pipeline_id: 1, pipeline_name: 'Sales' },
        { id: 7, order_nr: 1, name: 'Renewal due', pipeline_id: 2, pipeline_name: 'Renewals' },
      ],
      additional_data: { pagination: { more_items_in_collection: false } },
    };
    expect(parsePipedriveStages(response)).toEqual({
      pipelines: { '1': 'Sales', '2': 'Renewals' },
      stages: { '1': 'Lead In', '3': 'Qualified', '7': 'Renewal due' },
    });
  });

  it('takes the v2 list, which names no pipelines, and a bare list', () => {
    const v2 = { success: true, data: [{ id: 4, name: 'Demo', pipeline_id: 1, order_nr: 3 }] };
    expect(parsePipedriveStages(v2)).toEqual({ pipelines: {}, stages: { '4': 'Demo' } });
    expect(parsePipedriveStages([{ id: 5, name: 'Proposal' }])).toEqual({
      pipelines: {},
      stages: { '5': 'Proposal' },
    });
  });

  it('refuses what is not a stage list, naming the entry and field', () => {
    const refused = (json: unknown) => {
      try {
        parsePipedriveStages(json);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('expected a refusal');
    };
    expect(refused({ success: false, error: 'unauthorized' })).toMatch(
      /^data: expected the list of stages/,
    );
    expect(refused({ data: [] })).toBe('data: expected at least one stage');
    expect(
      refused({
        data: [
          { id: 1, name: 'A' },
          { id: '2', name: 'B' },
        ],
      }),
    ).toBe('data.1.id: expected a positive whole number, got "2"');
    expect(refused([{ id: 1, name: '' }])).toBe('stages.0.name: expected a name, got ""');
    expect(refused([{ id: 1, name: 'A', pipeline_name: 'Sales' }])).toBe(
      'stages.0.pipeline_id: expected a positive whole number, got nothing',
    );
    expect(refused([null])).toBe('stages.0: expected a stage');
  });
});
