/** Invariants every model keeps, on random journeys (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Journey } from '../types.js';
import { createModel, type ModelName, modelNames } from './registry.js';
import { runModel } from './test-journeys.js';

const channelNames = ['Direct', 'Email', 'Paid Search', 'Organic Social', 'Referral', 'Display'];

const journeyArbitrary: fc.Arbitrary<Journey> = fc
  .record({
    channels: fc.array(fc.constantFrom(...channelNames), { minLength: 1, maxLength: 8 }),
    conversions: fc.integer({ min: 0, max: 3 }),
    value: fc.double({ min: 0, max: 5_000, noNaN: true }),
    nulls: fc.integer({ min: 0, max: 4 }),
    gaps: fc.array(fc.integer({ min: 0, max: 40 * 86_400_000 }), { minLength: 8, maxLength: 8 }),
    lead: fc.integer({ min: -1, max: 8 }),
    deal: fc.integer({ min: -1, max: 8 }),
    won: fc.integer({ min: -1, max: 8 }),
  })
  .map(({ channels, conversions, value, nulls, gaps, lead, deal, won }) => {
    let at = Date.UTC(2026, 0, 1);
    const touches = channels.map((channel, i) => {
      at += gaps[i] ?? 0;
      return { channel, at };
    });
    const inside = (position: number) => (position < channels.length ? position : -1);
    return {
      touches,
      conversions,
      value: conversions > 0 ? value : 0,
      nulls,
      conversionAt: at,
      milestones: { lead: inside(lead), deal: inside(deal), won: inside(won) },
    };
  });

const journeysArbitrary = fc.array(journeyArbitrary, { minLength: 1, maxLength: 40 });

const options = {
  customWeights: { first: 0.3, lead: 0.2, middle: 0.1, last: 0.4 },
  markovOrder: 2,
};

describe('every model', () => {
  for (const name of modelNames) {
    it(`${name}: credits sum to the converting totals (1e-9 relative), none negative`, () => {
      fc.assert(
        fc.property(journeysArbitrary, (journeys) => {
          const report = runModel(createModel(name as ModelName, options), journeys);
          const credits = report.models[name] ?? [];
          const conversions = credits.reduce((sum, credit) => sum + credit.conversions, 0);
          const value = credits.reduce((sum, credit) => sum + credit.value, 0);
          const tolerance = (total: number) => 1e-9 * Math.max(1, Math.abs(total));
          expect(Math.abs(conversions - report.totals.conversions)).toBeLessThanOrEqual(
            tolerance(report.totals.conversions),
          );
          expect(Math.abs(value - report.totals.value)).toBeLessThanOrEqual(
            tolerance(report.totals.value),
          );
          for (const credit of credits) expect(credit.conversions).toBeGreaterThanOrEqual(-1e-12);
          // Every channel of the input is listed, zero credit included.
          const seen = new Set(journeys.flatMap((j) => j.touches.map((t) => t.channel)));
          expect(credits.map((credit) => credit.channel).sort()).toEqual([...seen].sort());
        }),
        { numRuns: 150 },
      );
    });
  }
});

/** Shapley by its definition: weighted marginal contributions over every coalition. */
function shapleyByDefinition(journeys: Journey[]): Record<string, number> {
  const players = [...new Set(journeys.flatMap((j) => j.touches.map((t) => t.channel)))];
  const n = players.length;
  const masks = journeys.map((j) =>
    j.touches.reduce((mask, touch) => mask | (1 << players.indexOf(touch.channel)), 0),
  );
  const worth = (coalition: number) =>
    journeys.reduce((sum, j, k) => ((masks[k] & ~coalition) === 0 ? sum + j.conversions : sum), 0);
  const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
  const result: Record<string, number> = {};
  players.forEach((player, i) => {
    let value = 0;
    for (let coalition = 0; coalition < 1 << n; coalition++) {
      if (coalition & (1 << i)) continue;
      let size = 0;
      for (let b = coalition; b > 0; b &= b - 1) size++;
      const weight = (factorial(size) * factorial(n - size - 1)) / factorial(n);
      value += weight * (worth(coalition | (1 << i)) - worth(coalition));
    }
    result[player] = value;
  });
  return result;
}

describe('shapley', () => {
  it('equals the Shapley value computed over all coalitions', () => {
    fc.assert(
      fc.property(fc.array(journeyArbitrary, { minLength: 1, maxLength: 12 }), (journeys) => {
        const expected = shapleyByDefinition(journeys);
        const credits = runModel(createModel('shapley'), journeys).models.shapley ?? [];
        for (const credit of credits) {
          expect(credit.conversions).toBeCloseTo(expected[credit.channel] ?? Number.NaN, 9);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('stays exact with 20 channels, past where a 2^n table would be practical', () => {
    const channels = Array.from({ length: 20 }, (_, i) => `c${i}`);
    const journeys = [
      {
        touches: channels.map((channel) => ({ channel, at: Number.NaN })),
        conversions: 20,
        value: 0,
        nulls: 0,
      },
      { touches: [{ channel: 'c0', at: Number.NaN }], conversions: 1, value: 0, nulls: 0 },
    ];
    const credits = runModel(createModel('shapley'), journeys).models.shapley ?? [];
    const byChannel = Object.fromEntries(
      credits.map((credit) => [credit.channel, credit.conversions]),
    );
    expect(byChannel.c0).toBeCloseTo(2, 12);
    expect(byChannel.c19).toBeCloseTo(1, 12);
  });
});
