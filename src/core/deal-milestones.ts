import { addDays, calendarDateOf, instantMoment, startOfDay } from './calendar.js';
import type { Deal, Moment, Pipeline } from './deals.js';

/** What a deal-level attribution credits: the moment each deal reached, with its own lookback. */
export type DealMilestone =
  | { readonly kind: 'lead' }
  | { readonly kind: 'deal' }
  | { readonly kind: 'stage'; readonly stage: string }
  | { readonly kind: 'won' };

/** `lead`, `deal`, `won` or `stage:NAME`; undefined for anything else. */
export function parseDealMilestone(text: string): DealMilestone | undefined {
  if (text === 'lead' || text === 'deal' || text === 'won') return { kind: text };
  const match = /^stage:(.+)$/.exec(text);
  return match === null ? undefined : { kind: 'stage', stage: (match[1] as string).trim() };
}

/**
 * When a deal reached the milestone, as the CRM says it (a date, or an instant), or undefined when
 * it did not (or the data does not say when). An open stage counts as reached when the deal
 * entered it or a later open stage, or won; a closing stage only when the deal entered it. Its
 * time is the first entry into that stage or beyond. `leadAt`
 * is the first conversion of the deal's people, when known.
 */
export function milestoneTime(
  deal: Deal,
  milestone: DealMilestone,
  pipeline: Pipeline | undefined,
  leadAt: number | undefined,
): Moment | undefined {
  switch (milestone.kind) {
    case 'lead':
      return leadAt === undefined ? undefined : instantMoment(leadAt);
    case 'deal':
      return deal.createdAt ?? undefined;
    case 'won':
      return deal.status === 'won' ? (deal.closedAt ?? undefined) : undefined;
    case 'stage':
      return stageReachedAt(deal, milestone.stage, pipeline);
  }
}

/**
 * The last instant a milestone covers: an instant is itself; a date without a time is the whole
 * of that day in the workspace's zone, so a visit on the day a deal was created counts before it.
 */
export function lastInstantOf(moment: Moment, timeZone: string): number {
  if (!moment.dateOnly) return moment.at;
  return startOfDay(addDays(calendarDateOf(moment, timeZone), 1), timeZone) - 1;
}

function stageReachedAt(
  deal: Deal,
  stage: string,
  pipeline: Pipeline | undefined,
): Moment | undefined {
  const order = pipeline?.stages.map((s) => s.name) ?? [];
  const target = order.indexOf(stage);
  const outcome = (name: string) => pipeline?.stages.find((s) => s.name === name)?.outcome ?? null;
  const atOrBeyond = (name: string) => {
    if (name === stage) return true;
    // A closing stage (won or lost) is reached only by entering it.
    if (target < 0 || outcome(stage) !== null) return false;
    const index = order.indexOf(name);
    // A won deal went through every open stage; a lost one only as far as its history shows.
    return outcome(name) === 'won' || (outcome(name) === null && index > target);
  };
  const entry = deal.history.find((e) => atOrBeyond(e.stage));
  if (entry !== undefined) return entry.enteredAt;
  const current = deal.stage ?? '';
  if (atOrBeyond(current) || (deal.status === 'won' && outcome(stage) === null && target >= 0)) {
    // Reached, but never dated: the creation is the latest moment known to be no later than it.
    return deal.createdAt ?? deal.closedAt ?? undefined;
  }
  return undefined;
}
