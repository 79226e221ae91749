import { dealOf, personOf, type SimDeal, type SimPerson } from './deals.js';
import { type CollectorEvent, eventsOfSession, type IdentifyAt } from './events.js';
import { type SimSession, sessionsOf } from './sessions.js';
import { type SpendRow, spendOf } from './spend.js';
import { leadVisit, planVisitors, type VisitorPlan } from './visits.js';
import type { World } from './world.js';

export interface SimLead {
  readonly visitor: number;
  readonly at: number;
  readonly sessionId: string;
}

/** One visitor's whole story: sessions in time order, and what became of them. */
export interface SimVisitor {
  readonly index: number;
  readonly sessions: readonly SimSession[];
  /** Sessions up to and including the lead's (all of them when there is no lead). */
  readonly sessionsBeforeLead: number;
  readonly person: SimPerson | undefined;
  readonly lead: SimLead | undefined;
  readonly deal: SimDeal | undefined;
  readonly identifies: readonly IdentifyAt[];
}

export interface SimulatedWorld {
  readonly world: World;
  readonly plans: readonly VisitorPlan[];
  readonly visitors: readonly SimVisitor[];
  readonly spend: readonly SpendRow[];
}

/** Seeded and deterministic: the same world gives the same company, event for event. */
export function simulate(world: World): SimulatedWorld {
  const plans = planVisitors(world);
  const visitors = plans.map((plan) => simulateVisitor(world, plan));
  const spend = spendOf(
    world,
    visitors.flatMap((visitor) => visitor.sessions),
  );
  return { world, plans, visitors, spend };
}

export function simulateVisitor(world: World, plan: VisitorPlan, switchedOff = -1): SimVisitor {
  const keep = (visits: VisitorPlan['visits']) =>
    visits.filter((visit) => visit.channel !== switchedOff);
  const before = sessionsOf(world, plan.index, keep(plan.visits), false, 0);
  const leadAt = leadVisit(world, plan, switchedOff);
  if (leadAt === -1) {
    return {
      index: plan.index,
      sessions: before,
      sessionsBeforeLead: before.length,
      person: undefined,
      lead: undefined,
      deal: undefined,
      identifies: [],
    };
  }
  const after = sessionsOf(world, plan.index, keep(plan.visitsAfterLead), true, plan.visits.length);
  const leadSession = before[before.length - 1] as SimSession;
  const lastPage = leadSession.pages[leadSession.pages.length - 1];
  const lead = {
    visitor: plan.index,
    at: (lastPage?.at ?? leadSession.startedAt) + 30_000,
    sessionId: leadSession.id,
  };
  const person = personOf(world, plan);
  const sessions = [...before, ...after];
  const lastVisitAt = sessions[sessions.length - 1]?.startedAt ?? lead.at;
  const identifies: IdentifyAt[] = [
    { sessionId: leadSession.id, email: person.email, formSubmit: true },
  ];
  // On a second device the person is recognised after becoming a lead (a login, a newsletter
  // click); the device's earlier visits then join their journey.
  const otherDevice = after
    .filter((session) => session.anonymousId !== leadSession.anonymousId)
    .at(-1);
  if (otherDevice !== undefined)
    identifies.push({ sessionId: otherDevice.id, email: person.email, formSubmit: false });
  const { segmentIndex: _, ...personFields } = person;
  return {
    index: plan.index,
    sessions,
    sessionsBeforeLead: before.length,
    person: personFields,
    lead,
    deal: dealOf(world, plan, lead.at, lastVisitAt),
    identifies,
  };
}

/** Every collector event of the world, visitor by visitor, each visitor's in time order. */
export function* collectorEvents(simulated: SimulatedWorld): Generator<CollectorEvent> {
  for (const visitor of simulated.visitors) {
    const identifyBySession = new Map(
      visitor.identifies.map((identify) => [identify.sessionId, identify]),
    );
    for (const session of visitor.sessions)
      yield* eventsOfSession(session, identifyBySession.get(session.id));
  }
}
