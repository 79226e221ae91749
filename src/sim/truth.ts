import { type SimulatedWorld, simulateVisitor } from './simulate.js';
import { endOf, type World } from './world.js';

export interface ChannelTruth {
  readonly channel: string;
  /** Leads lost when the channel is switched off everywhere. */
  readonly leads: number;
  /** Won revenue (minor units, won by the end) lost when the channel is switched off. */
  readonly revenue: number;
  /** Shares of the summed contributions (0 when nothing is lost at all). */
  readonly leadShare: number;
  readonly revenueShare: number;
}

/**
 * Each channel's true contribution: re-simulate every visitor with the channel switched off (the
 * same seed, so every other draw is the same) and count the leads and won revenue lost.
 */
export function trueContributions(simulated: SimulatedWorld): ChannelTruth[] {
  const { world, plans, visitors } = simulated;
  const wonRevenue = (deal: { status: string; amount: number } | undefined) =>
    deal?.status === 'won' ? deal.amount : 0;
  const baseLeads = visitors.filter((visitor) => visitor.lead !== undefined).length;
  const baseRevenue = visitors.reduce((sum, visitor) => sum + wonRevenue(visitor.deal), 0);
  const raw = world.channels.map((channel, c) => {
    let leads = 0;
    let revenue = 0;
    for (const plan of plans) {
      // Only a visitor who touched the channel can turn out differently.
      if (
        !plan.visits.some((visit) => visit.channel === c) &&
        !plan.visitsAfterLead.some((visit) => visit.channel === c)
      ) {
        const visitor = visitors[plan.index];
        leads += visitor?.lead === undefined ? 0 : 1;
        revenue += wonRevenue(visitor?.deal);
        continue;
      }
      const counterfactual = simulateVisitor(world, plan, c);
      leads += counterfactual.lead === undefined ? 0 : 1;
      revenue += wonRevenue(counterfactual.deal);
    }
    return { channel: channel.name, leads: baseLeads - leads, revenue: baseRevenue - revenue };
  });
  const leadSum = raw.reduce((sum, row) => sum + Math.max(0, row.leads), 0);
  const revenueSum = raw.reduce((sum, row) => sum + Math.max(0, row.revenue), 0);
  return raw.map((row) => ({
    ...row,
    leadShare: leadSum > 0 ? Math.max(0, row.leads) / leadSum : 0,
    revenueShare: revenueSum > 0 ? Math.max(0, row.revenue) / revenueSum : 0,
  }));
}

export interface MonthRevenue {
  /** YYYY-MM, UTC. */
  readonly month: string;
  /** Expected won amount (minor units) of the deals open at the end, closing that month. */
  readonly expected: number;
}

/**
 * The expected revenue per coming month of the deals open when the simulation ends. A deal's
 * outcome and cycle length were drawn independently, so given that it is still open, it wins
 * with its segment's win rate and closes in month m with probability P(close in m) ÷ P(open now),
 * from F, the log-normal distribution of its due time: P(due in m) = F(end of m) − F(start of m).
 * The pull of closes to month ends never moves a close to another month, and the simulation ends
 * on a month boundary, so the pull changes neither term. The quarter push does: a quarter's first
 * month keeps 1 − push of its due closes, the month before gains push × the next month's, and a
 * close due in the month that begins now and pushed before now was closed already — except one
 * the push would have put before the deal's creation: the push leaves those where they are.
 */
export function expectedRevenueByMonth(
  simulated: SimulatedWorld,
  monthsAhead: number,
): MonthRevenue[] {
  const { world } = simulated;
  const now = endOf(world);
  const start = new Date(now);
  const bounds = Array.from({ length: monthsAhead + 1 }, (_, m) =>
    Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + m, 1),
  );
  const expected = new Array<number>(monthsAhead).fill(0);
  const winRate = new Map(world.segments.map((segment) => [segment.name, segment.winRate]));
  for (const visitor of simulated.visitors) {
    const deal = visitor.deal;
    if (deal === undefined || deal.status !== 'open') continue;
    const cdf = (at: number) =>
      logNormalCdf((at - deal.createdAt) / 86_400_000, deal.cycle.medianDays, deal.cycle.spread);
    const push = world.quarterPush;
    const opensQuarter = (m: number) => new Date(bounds[m] as number).getUTCMonth() % 3 === 0;
    const due = (from: number, to: number) => Math.max(0, cdf(to) - cdf(from));
    // Due this month and pushable: due after the instant that the push maps onto the creation.
    const pushableNow = due(
      Math.max(now, sameFractionOfNextMonth(deal.createdAt)),
      bounds[1] as number,
    );
    const stillOpen = 1 - cdf(now) - (opensQuarter(0) ? push * pushableNow : 0);
    if (stillOpen <= 0) continue;
    const p = winRate.get(deal.segment) ?? 0;
    for (let m = 0; m < monthsAhead; m++) {
      const start = bounds[m] as number;
      const end = bounds[m + 1] as number;
      let closes = due(start, end);
      if (opensQuarter(m)) closes -= push * (m === 0 ? pushableNow : due(start, end));
      if (opensQuarter(m + 1)) {
        const next = Date.UTC(new Date(end).getUTCFullYear(), new Date(end).getUTCMonth() + 1, 1);
        closes += push * due(end, next);
      }
      expected[m] = (expected[m] ?? 0) + (deal.amount * p * closes) / stillOpen;
    }
  }
  return expected.map((value, m) => ({
    month: new Date(bounds[m] as number).toISOString().slice(0, 7),
    expected: value,
  }));
}

/** The instant as far into the next month as `at` is into its own (the push's inverse). */
function sameFractionOfNextMonth(at: number): number {
  const date = new Date(at);
  const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const next = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  const after = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 2, 1);
  return next + ((at - start) / (next - start)) * (after - next);
}

export function logNormalCdf(x: number, median: number, sigma: number): number {
  if (x <= 0) return 0;
  return 0.5 * erfc(-(Math.log(x / median) / (sigma * Math.SQRT2)));
}

/** Complementary error function, Chebyshev fit with fractional error below 1.2e-7. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export type { World };
