import { type JourneyBatch, JourneyBatchBuilder } from '../core/journey-batch.js';
import { minorDigits } from '../core/money.js';
import type { SimulatedWorld } from './simulate.js';

export type SimOutcome = 'leads' | 'revenue';

/**
 * The simulated journeys as the core's batch, one per visitor. For `leads`, a journey is the
 * visits up to the lead (converting) or all visits (a null). For `revenue`, it is the visits up
 * to the won close, valued at the deal amount in major units, with the lead, deal-creation and won
 * touches marked.
 */
export function journeyBatchOf(simulated: SimulatedWorld, outcome: SimOutcome): JourneyBatch {
  const builder = new JourneyBatchBuilder({ withTimes: true, withAttributes: true });
  const { channels, sources, mediums, campaigns } = builder.dictionaries;
  const scale = 10 ** minorDigits(simulated.world.currency);
  for (const channel of simulated.world.channels) channels.intern(channel.name);
  for (const visitor of simulated.visitors) {
    if (visitor.sessions.length === 0) continue;
    const deal = visitor.deal;
    const won = outcome === 'revenue' && deal?.status === 'won';
    const until = outcome === 'leads' ? visitor.sessionsBeforeLead : visitor.sessions.length;
    let lead = -1;
    let dealTouch = -1;
    let wonTouch = -1;
    let added = 0;
    for (let k = 0; k < until; k++) {
      const session = visitor.sessions[k];
      if (session === undefined || (won && session.startedAt > (deal?.closedAt ?? 0))) break;
      const optional = (dictionary: typeof sources, name: string | undefined) =>
        name === undefined ? -1 : dictionary.intern(name);
      builder.addTouch(
        channels.intern(session.channel),
        session.startedAt,
        optional(sources, session.source),
        optional(mediums, session.medium),
        optional(campaigns, session.campaign),
      );
      if (visitor.lead !== undefined && k === visitor.sessionsBeforeLead - 1) lead = added;
      if (deal !== undefined && session.startedAt <= deal.createdAt) dealTouch = added;
      if (won) wonTouch = added;
      added++;
    }
    if (outcome === 'leads') {
      const converted = visitor.lead !== undefined;
      builder.endJourney(
        converted ? 1 : 0,
        0,
        converted ? 0 : 1,
        visitor.lead?.at ?? Number.NaN,
        lead,
      );
    } else {
      builder.endJourney(
        won ? 1 : 0,
        won ? (deal?.amount ?? 0) / scale : 0,
        won ? 0 : 1,
        won ? (deal?.closedAt ?? Number.NaN) : Number.NaN,
        lead,
        deal === undefined ? -1 : dealTouch,
        wonTouch,
      );
    }
  }
  return builder.build();
}
