import type { JourneyBatch } from '../journey-batch.js';
import type { ChannelCredit } from '../types.js';
import type { AttributionModel } from './model.js';

export interface AttributionTotals {
  readonly conversions: number;
  readonly value: number;
  /** Distinct paths, duplicates merged. */
  readonly paths: number;
  /** Conversions plus nulls: every time a path was walked. */
  readonly journeys: number;
}

export interface AttributionReport {
  readonly totals: AttributionTotals;
  readonly models: Record<string, ChannelCredit[]>;
  readonly removal_effects?: Record<string, number>;
}

/**
 * Runs every model over every chunk, then solves each and names the channels. Every channel of
 * the input is listed under every model, zero credit included, sorted by name.
 */
export function attributeJourneys(
  chunks: Iterable<JourneyBatch>,
  models: readonly AttributionModel[],
  paths: number,
): AttributionReport {
  let conversions = 0;
  let value = 0;
  let journeys = 0;
  let last: JourneyBatch | undefined;
  for (const chunk of chunks) {
    for (let j = 0; j < chunk.journeyCount; j++) {
      conversions += chunk.conversions[j];
      value += chunk.value[j];
      journeys += chunk.conversions[j] + chunk.nulls[j];
    }
    for (const model of models) model.accumulate(chunk);
    last = chunk;
  }
  const names = last?.dictionaries.channels.names ?? [];
  const order = names.map((_, id) => id).sort((a, b) => compareNames(names[a], names[b]));
  const report: AttributionReport = {
    totals: { conversions, value, paths, journeys },
    models: {},
  };
  for (const model of models) {
    const credits = model.solve();
    report.models[model.name] = order.map((id) => ({
      channel: names[id],
      conversions: credits.conversions[id] ?? 0,
      value: credits.value[id] ?? 0,
    }));
    const effects = credits.removalEffects;
    if (effects !== undefined) {
      (report as { removal_effects?: Record<string, number> }).removal_effects = Object.fromEntries(
        order.map((id) => [names[id], effects[id] ?? 0]),
      );
    }
  }
  return report;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
