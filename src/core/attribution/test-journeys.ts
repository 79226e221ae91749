import { batchFromJourneys, type JourneyBatch } from '../journey-batch.js';
import type { Journey, Milestone } from '../types.js';
import type { AttributionModel } from './model.js';
import { type AttributionReport, attributeJourneys } from './report.js';

/** `journey('a > b > c', {conversions: 2})`: a journey from a path text, for hand-made cases. */
export function journey(
  path: string,
  outcome: {
    conversions?: number;
    value?: number;
    nulls?: number;
    days?: number[];
    conversionDay?: number;
    milestones?: Partial<Record<Milestone, number>>;
  } = {},
): Journey {
  const dayMs = 86_400_000;
  const channels = path.split('>').map((name) => name.trim());
  return {
    touches: channels.map((channel, i) => ({
      channel,
      at: outcome.days === undefined ? Number.NaN : (outcome.days[i] ?? Number.NaN) * dayMs,
    })),
    conversions: outcome.conversions ?? 1,
    value: outcome.value ?? 0,
    nulls: outcome.nulls ?? 0,
    conversionAt: outcome.conversionDay === undefined ? undefined : outcome.conversionDay * dayMs,
    milestones: outcome.milestones,
  };
}

export function runModel(
  model: AttributionModel,
  journeys: Journey[] | JourneyBatch,
): AttributionReport {
  const batch = Array.isArray(journeys) ? batchFromJourneys(journeys) : journeys;
  return attributeJourneys([batch], [model], batch.journeyCount);
}

/** Channel → credited conversions under the one model that ran. */
export function conversionsByChannel(report: AttributionReport): Record<string, number> {
  const [credits = []] = Object.values(report.models);
  return Object.fromEntries(credits.map((credit) => [credit.channel, credit.conversions]));
}
