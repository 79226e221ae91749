import { cumulativeOf, Random } from './random.js';
import { endOf, type World } from './world.js';

const dayMs = 86_400_000;

export interface PlannedVisit {
  /** Index into `world.channels`. */
  readonly channel: number;
  readonly at: number;
  /** 0 for the person's first device, 1 for the second. */
  readonly device: number;
}

/**
 * Everything random about one visitor's visits, drawn up front from the visitor's own stream, so
 * that the same plan can be replayed with a channel switched off.
 */
export interface VisitorPlan {
  readonly index: number;
  /** Visits before the moment of converting or giving up, in time order. */
  readonly visits: readonly PlannedVisit[];
  /** Visits a lead would make afterwards, before a deal is created. */
  readonly visitsAfterLead: readonly PlannedVisit[];
  /** Uniform draw compared with the chance to convert. */
  readonly conversionDraw: number;
  readonly devices: number;
}

export function planVisitors(world: World): VisitorPlan[] {
  const first = cumulativeOf(world.channels.map((c) => c.firstWeight));
  const later = cumulativeOf(world.channels.map((c) => c.laterWeight));
  const last = cumulativeOf(world.channels.map((c) => c.lastWeight));
  const end = endOf(world);
  const span = end - world.start;
  const plans: VisitorPlan[] = [];
  for (let index = 0; index < world.visitors; index++) {
    const random = Random.stream(world.seed, index);
    const devices = random.chance(world.secondDeviceShare) ? 2 : 1;
    const extra = Math.min(11, Math.floor(random.exponential(world.meanExtraVisits)));
    let at = world.start + random.next() * span;
    const visits: PlannedVisit[] = [];
    for (let k = 0; k <= extra && at < end; k++) {
      const channel = random.weighted(k === 0 ? first : k === extra ? last : later);
      visits.push({ channel, at: Math.floor(at), device: random.int(0, devices - 1) });
      at += random.exponential(world.meanDaysBetweenVisits * dayMs) + 60_000;
    }
    const afterCount = random.int(0, world.maxVisitsAfterLead);
    const visitsAfterLead: PlannedVisit[] = [];
    let afterAt =
      (visits[visits.length - 1]?.at ?? world.start) + random.exponential(5 * dayMs) + 60_000;
    for (let k = 0; k < afterCount && afterAt < end; k++) {
      const channel = random.weighted(later);
      visitsAfterLead.push({
        channel,
        at: Math.floor(afterAt),
        device: random.int(0, devices - 1),
      });
      afterAt += random.exponential(world.meanDaysBetweenVisits * dayMs) + 60_000;
    }
    plans.push({ index, visits, visitsAfterLead, conversionDraw: random.next(), devices });
  }
  return plans;
}

/**
 * The visit at which the visitor becomes a lead, or -1. Each touch of channel c independently
 * persuades with chance effect(c) (a noisy-or); the lead form is filled on the last visit. A
 * channel switched off takes its visits out of the plan and nothing else changes.
 */
export function leadVisit(world: World, plan: VisitorPlan, switchedOff = -1): number {
  let stay = 1;
  let last = -1;
  plan.visits.forEach((visit, k) => {
    if (visit.channel === switchedOff) return;
    stay *= 1 - (world.channels[visit.channel]?.effect ?? 0);
    last = k;
  });
  return last !== -1 && plan.conversionDraw < 1 - stay ? last : -1;
}
