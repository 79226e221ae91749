/** Closedloop's models against results other tools published or produced on the same data. */
import { describe, expect, it } from 'vitest';
import { readPathsFile } from '../../cli/input/read-paths.js';
import { readSharedCsv, readSharedJson, sharedDataPath } from '../../test-support/shared-data.js';
import { batchFromJourneys } from '../journey-batch.js';
import { createModel, type ModelName, type ModelOptions } from './registry.js';
import { type AttributionReport, attributeJourneys } from './report.js';

const dataCsv = sharedDataPath('channelattribution', 'Data.csv');
const input = readPathsFile(dataCsv);

function run(models: ModelName[], options: ModelOptions = {}): AttributionReport {
  return attributeJourneys(
    [input.batch],
    models.map((name) => createModel(name, options)),
    input.paths,
  );
}

function creditsOf(report: AttributionReport, model: string) {
  return new Map((report.models[model] ?? []).map((credit) => [credit.channel, credit]));
}

function expectRelative(actual: number, expected: number, tolerance: number) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(
    tolerance * Math.max(1, Math.abs(expected)),
  );
}

describe('Data.csv as read', () => {
  it('holds the documented totals, duplicates summed', () => {
    const report = run(['first']);
    expect(input.rows).toBe(10_000);
    expect(report.totals.conversions).toBe(19_785);
    // 74,802.97 as the data's README rounds it; the exact sum of the column is 74,802.971587210...
    expectRelative(report.totals.value, 74_802.971_587_210_84, 1e-12);
    expect(report.totals.journeys).toBe(19_785 + 68_602);
    // 643 path strings repeat: fewer distinct paths than rows.
    expect(report.totals.paths).toBeLessThan(10_000 - 643 + 1);
  });
});

describe('ChannelAttribution 2.2.4 heuristic_models', () => {
  const expected = readSharedCsv('channelattribution', 'CA_2.2.4_heuristic_models_on_Data.csv');
  const report = run(['first', 'last', 'linear']);
  const columns = [
    ['first', 'first_touch'],
    ['last', 'last_touch'],
    ['linear', 'linear_touch'],
  ] as const;
  for (const [model, prefix] of columns) {
    it(`${model} equals ${prefix} to 1e-6 relative`, () => {
      const credits = creditsOf(report, model);
      expect(credits.size).toBe(expected.length);
      for (const row of expected) {
        const credit = credits.get(row.channel_name ?? '');
        expect(credit, row.channel_name).toBeDefined();
        expectRelative(
          credit?.conversions ?? Number.NaN,
          Number(row[`${prefix}_conversions`]),
          1e-6,
        );
        expectRelative(credit?.value ?? Number.NaN, Number(row[`${prefix}_value`]), 1e-6);
      }
    });
  }
});

interface ExactMarkov {
  removal_effects: Record<string, number>;
  attributed_conversions: Record<string, number>;
}

describe('exact first-order Markov', () => {
  const exact = readSharedJson<Record<'with_var_null' | 'without_var_null', ExactMarkov>>(
    'channelattribution',
    'exact_markov_order1_on_Data.json',
  );
  for (const [variant, useNulls] of [
    ['with_var_null', true],
    ['without_var_null', false],
  ] as const) {
    it(`matches ${variant} to 1e-9`, () => {
      const report = run(['markov'], { useNulls });
      const credits = creditsOf(report, 'markov');
      for (const [channel, effect] of Object.entries(exact[variant].removal_effects)) {
        expectRelative(report.removal_effects?.[channel] ?? Number.NaN, effect, 1e-9);
      }
      for (const [channel, conversions] of Object.entries(exact[variant].attributed_conversions)) {
        expectRelative(credits.get(channel)?.conversions ?? Number.NaN, conversions, 1e-9);
      }
    });
  }
});

describe('ChannelAttribution 2.2.4 markov_model (simulated) orders 1 to 3', () => {
  const rows = readSharedCsv('channelattribution', 'CA_2.2.4_markov_model_order1-3_on_Data.csv');
  for (const order of [1, 2, 3]) {
    for (const [varNull, useNulls] of [
      ['none', false],
      ['total_null', true],
    ] as const) {
      it(`order ${order}, var_null ${varNull}: every channel within 1% of total conversions`, () => {
        const expected = rows.filter(
          (row) => row.order === String(order) && row.var_null === varNull,
        );
        expect(expected.length).toBe(12);
        const credits = creditsOf(run(['markov'], { markovOrder: order, useNulls }), 'markov');
        for (const row of expected) {
          const ours = credits.get(row.channel_name ?? '')?.conversions ?? Number.NaN;
          expect(Math.abs(ours - Number(row.total_conversions))).toBeLessThanOrEqual(0.01 * 19_785);
        }
      });
      // Its value estimates are noisier than its conversions (a simulated walk draws one value per
      // conversion, and its convergence test watches conversions only): gamma gets 1,367 with
      // nulls at order 1 but 620 without, and the exact expectation is 719. Splitting value in the
      // conversion shares instead misses by up to 3.5% of the total.
      it(`order ${order}, var_null ${varNull}: every channel within 1% of total value`, () => {
        const expected = rows.filter(
          (row) => row.order === String(order) && row.var_null === varNull,
        );
        const credits = creditsOf(run(['markov'], { markovOrder: order, useNulls }), 'markov');
        for (const row of expected) {
          const ours = credits.get(row.channel_name ?? '')?.value ?? Number.NaN;
          expect(Math.abs(ours - Number(row.total_conversion_value))).toBeLessThanOrEqual(
            0.01 * 74_802.97,
          );
        }
      });
    }
  }
});

describe('the ChannelAttribution vignette toy', () => {
  const toy = readSharedJson<{ paths: { path: string; conversions: number }[] }>(
    'channelattribution',
    'vignette_toy.json',
  );
  const batch = batchFromJourneys(
    toy.paths.map(({ path, conversions }) => ({
      touches: path.split('>').map((channel) => ({ at: Number.NaN, channel: channel.trim() })),
      conversions,
      value: conversions,
      nulls: 0,
    })),
  );
  it('gives exactly A = 2 and B = 1, removal effects 1 and 0.5', () => {
    const report = attributeJourneys([batch], [createModel('markov')], toy.paths.length);
    const credits = creditsOf(report, 'markov');
    expect(credits.get('A')?.conversions).toBeCloseTo(2, 12);
    expect(credits.get('B')?.conversions).toBeCloseTo(1, 12);
    expect(report.removal_effects?.A).toBeCloseTo(1, 12);
    expect(report.removal_effects?.B).toBeCloseTo(0.5, 12);
  });
  it('gives every conversion to A under first and last touch, as the vignette says', () => {
    const report = attributeJourneys([batch], [createModel('first'), createModel('last')], 3);
    for (const model of ['first', 'last']) {
      expect(creditsOf(report, model).get('A')?.conversions).toBe(3);
      expect(creditsOf(report, model).get('B')?.conversions).toBe(0);
    }
  });
});

describe('google/fractribution on Data.csv', () => {
  const fractribution = readSharedJson<{
    attribution_by_model: Record<string, Record<string, { conversions: number }>>;
  }>('channelattribution', 'fractribution_on_Data.json');
  const report = run(['shapley_simplified', 'first', 'last']);
  const cases = [
    ['shapley_simplified', 'shapley'],
    ['first', 'first_touch'],
    ['last', 'last_touch'],
  ] as const;
  for (const [ours, theirs] of cases) {
    it(`${ours} conversions equal its ${theirs} to 1e-6`, () => {
      const credits = creditsOf(report, ours);
      const expected = fractribution.attribution_by_model[theirs] ?? {};
      expect(Object.keys(expected).length).toBeGreaterThan(0);
      for (const [channel, { conversions }] of Object.entries(expected)) {
        // fractribution lists a catch-all channel that never receives credit.
        if (channel === 'Unmatched_Channel') {
          expect(conversions).toBe(0);
          continue;
        }
        expect(
          Math.abs((credits.get(channel)?.conversions ?? Number.NaN) - conversions),
        ).toBeLessThanOrEqual(1e-6);
      }
    });
  }
});
