import type { SimSession } from './sessions.js';
import type { World } from './world.js';

/** Ad cost of one day, channel and campaign, in minor units of the world's currency. */
export interface SpendRow {
  /** YYYY-MM-DD, UTC. */
  readonly day: string;
  readonly channel: string;
  readonly source: string;
  readonly campaign: string;
  readonly amount: number;
  readonly currency: string;
}

/** What the paid sessions cost, summed per day, channel and campaign. */
export function spendOf(world: World, sessions: readonly SimSession[]): SpendRow[] {
  const costByChannel = new Map(
    world.channels.map((channel) => [channel.name, channel.costPerSession]),
  );
  const rows = new Map<string, SpendRow & { amount: number }>();
  for (const session of sessions) {
    const cost = costByChannel.get(session.channel) ?? 0;
    if (cost === 0) continue;
    const day = new Date(session.startedAt).toISOString().slice(0, 10);
    const source = session.source ?? '(none)';
    const campaign = session.campaign ?? '(none)';
    const key = `${day}\u0000${session.channel}\u0000${source}\u0000${campaign}`;
    const row = rows.get(key);
    if (row === undefined) {
      rows.set(key, {
        day,
        channel: session.channel,
        source,
        campaign,
        amount: cost,
        currency: world.currency,
      });
    } else {
      row.amount += cost;
    }
  }
  // Keys start with the day, so key order is day, channel, source, campaign.
  return [...rows.keys()].sort().map((key) => rows.get(key) as SpendRow);
}
