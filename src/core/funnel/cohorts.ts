/**
 * Cohorts by lead month: how many leads each month brought, how many of them came to a deal, and
 * those deals' wins and revenue. A deal linked to several leads belongs to the earliest one's
 * month, so no deal is counted twice.
 */
import { instantMoment, monthKey } from '../calendar.js';
import type { Deal, Moment } from '../deals.js';
import type { Cohort, Lead } from './types.js';

interface CohortTally {
  leads: number;
  leadsWithDeal: number;
  deals: number;
  won: number;
  wonRevenue: number;
  wonWithValue: number;
}

/**
 * `leads` must already be those known as of the statistics' date, and `deals` the deals the
 * statistics cover; a lead's deal ids outside them are ignored.
 */
export function leadCohorts(
  leads: readonly Lead[],
  deals: readonly Deal[],
  amountOf: (deal: Deal) => number | null,
  timeZone: string,
  currency: string,
): Cohort[] {
  const dealsById = new Map(deals.map((deal) => [deal.id, deal]));
  const tallies = new Map<string, CohortTally>();
  const firstLeadOf = new Map<string, Moment>();
  for (const lead of leads) {
    const at = momentOf(lead.at);
    const tally = tallyFor(tallies, monthKey(at, timeZone));
    tally.leads++;
    const linked = lead.dealIds.filter((id) => dealsById.has(id));
    if (linked.length > 0) tally.leadsWithDeal++;
    for (const id of linked) {
      const first = firstLeadOf.get(id);
      if (first === undefined || at.at < first.at) firstLeadOf.set(id, at);
    }
  }
  for (const [id, at] of firstLeadOf) {
    const deal = dealsById.get(id) as Deal;
    const tally = tallyFor(tallies, monthKey(at, timeZone));
    tally.deals++;
    if (deal.status !== 'won') continue;
    tally.won++;
    const value = amountOf(deal);
    if (value === null) continue;
    tally.wonRevenue += value;
    tally.wonWithValue++;
  }
  return [...tallies]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([month, { wonRevenue, wonWithValue, ...counts }]) => ({
      month,
      ...counts,
      wonRevenue: { amount: wonRevenue, currency, n: wonWithValue },
    }));
}

export function momentOf(at: Moment | number): Moment {
  return typeof at === 'number' ? instantMoment(at) : at;
}

function tallyFor(tallies: Map<string, CohortTally>, month: string): CohortTally {
  let tally = tallies.get(month);
  if (tally === undefined) {
    tally = { leads: 0, leadsWithDeal: 0, deals: 0, won: 0, wonRevenue: 0, wonWithValue: 0 };
    tallies.set(month, tally);
  }
  return tally;
}
