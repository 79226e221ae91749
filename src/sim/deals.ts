import { cumulativeOf, Random } from './random.js';
import type { VisitorPlan } from './visits.js';
import { endOf, type Segment, type World } from './world.js';

const dayMs = 86_400_000;

export interface SimPerson {
  readonly visitor: number;
  readonly email: string;
  readonly name: string;
  readonly account: string;
  readonly accountDomain: string;
  readonly segment: string;
}

export interface StageEntry {
  readonly stage: string;
  readonly enteredAt: number;
}

export interface SimDeal {
  readonly id: string;
  readonly visitor: number;
  readonly name: string;
  readonly segment: string;
  readonly owner: string;
  /** Minor units of the world's currency. */
  readonly amount: number;
  readonly createdAt: number;
  /** What the deal will do, known to the simulator only: when it closes, and whether won. */
  readonly closesAt: number;
  readonly wins: boolean;
  /** Status as of the end of the simulation. */
  readonly status: 'open' | 'won' | 'lost';
  readonly closedAt: number | undefined;
  /** Stage history up to the end of the simulation. */
  readonly history: readonly StageEntry[];
  /** Segment parameters the deal's cycle was drawn from (for the expected revenue). */
  readonly cycle: { readonly medianDays: number; readonly spread: number };
}

const firstNames = [
  'ana',
  'ben',
  'chen',
  'dara',
  'eli',
  'fatima',
  'goran',
  'hana',
  'ivan',
  'jun',
  'kofi',
  'lena',
  'mei',
  'noah',
  'olga',
  'pedro',
  'quinn',
  'rosa',
  'sami',
  'tara',
  'uma',
  'vik',
  'wen',
  'yara',
  'zoe',
];
const lastNames = [
  'lee',
  'garcia',
  'wang',
  'smith',
  'novak',
  'haddad',
  'kim',
  'silva',
  'okafor',
  'ivanova',
  'tan',
  'muller',
  'rossi',
  'sato',
  'nguyen',
  'khan',
  'berg',
  'costa',
];
const accountParts = [
  'north',
  'blue',
  'iron',
  'bright',
  'silver',
  'green',
  'rapid',
  'true',
  'peak',
  'clear',
];
const accountKinds = [
  'wind',
  'stone',
  'field',
  'line',
  'works',
  'labs',
  'logic',
  'bridge',
  'harbor',
  'point',
];
const owners = ['Avery Chen', 'Jordan Patel', 'Morgan Silva', 'Riley Novak'];

export function personOf(world: World, plan: VisitorPlan): SimPerson & { segmentIndex: number } {
  const random = Random.stream(world.seed, plan.index, 0x5eed);
  const segmentIndex = random.weighted(cumulativeOf(world.segments.map((s) => s.share)));
  const first = random.pick(firstNames);
  const last = random.pick(lastNames);
  const company = `${random.pick(accountParts)}${random.pick(accountKinds)}`;
  const accountDomain = `${company}${plan.index}.com`;
  const capital = (word: string) => word[0]?.toUpperCase() + word.slice(1);
  return {
    visitor: plan.index,
    email: `${first}.${last}@${accountDomain}`,
    name: `${capital(first)} ${capital(last)}`,
    account: `${capital(company)} ${plan.index}`,
    accountDomain,
    segment: world.segments[segmentIndex]?.name ?? '',
    segmentIndex,
  };
}

/**
 * The deal a lead may become: created some days after the lead's last visit, with an amount, an
 * outcome and a cycle length drawn independently (so the chance of winning does not depend on
 * how long a deal has been open: that keeps the expected revenue exact). Closes are pulled to the
 * end of their month, more so in a quarter's last month — the pull never changes the month; the
 * quarter push (when the world has one) brings some of a quarter's first-month closes into the
 * month before, as sales teams do to make their quarter.
 */
export function dealOf(
  world: World,
  plan: VisitorPlan,
  leadAt: number,
  lastVisitAt: number,
): SimDeal | undefined {
  const random = Random.stream(world.seed, plan.index, 0xdea1);
  if (!random.chance(world.dealRate)) return undefined;
  const person = personOf(world, plan);
  const segment = world.segments[person.segmentIndex] as Segment;
  const createdAt = Math.floor(
    Math.max(leadAt, lastVisitAt) + random.exponential(4 * dayMs) + 3_600_000,
  );
  const end = endOf(world);
  // A deal due after the simulated months does not exist yet.
  if (createdAt >= end) return undefined;
  const amount = Math.max(
    100_00,
    Math.round(random.logNormal(segment.medianAmount, segment.amountSpread) / 100_00) * 100_00,
  );
  const wins = random.chance(segment.winRate);
  const cycleMs = random.logNormal(segment.medianCycleDays, segment.cycleSpread) * dayMs;
  const due = pushIntoQuarter(world, random, Math.floor(createdAt + cycleMs), createdAt);
  const closesAt = pullToMonthEnd(world, random, due);
  const closed = closesAt < end;
  // Open stages are passed at sorted uniform fractions of the cycle; a lost deal stops early.
  const reached = wins ? world.stages.length : random.int(1, world.stages.length);
  const fractions = Array.from({ length: reached - 1 }, () => random.next()).sort((a, b) => a - b);
  const entries: StageEntry[] = [{ stage: world.stages[0] as string, enteredAt: createdAt }];
  fractions.forEach((fraction, k) => {
    entries.push({
      stage: world.stages[k + 1] as string,
      enteredAt: Math.floor(createdAt + fraction * (closesAt - createdAt)),
    });
  });
  entries.push({ stage: wins ? world.wonStage : world.lostStage, enteredAt: closesAt });
  return {
    id: `D-${String(plan.index).padStart(6, '0')}`,
    visitor: plan.index,
    name: `${person.account} — ${segment.name}`,
    segment: segment.name,
    owner: random.pick(owners),
    amount,
    createdAt,
    closesAt,
    wins,
    status: closed ? (wins ? 'won' : 'lost') : 'open',
    closedAt: closed ? closesAt : undefined,
    history: entries.filter((entry) => entry.enteredAt < end),
    cycle: { medianDays: segment.medianCycleDays, spread: segment.cycleSpread },
  };
}

/**
 * A close due in a quarter's first month moves, with chance `quarterPush`, to the same point of
 * the month before (the previous quarter's last), when the deal already existed then. No draw is
 * made in a world without the push, so its other draws stay as they were.
 */
function pushIntoQuarter(world: World, random: Random, at: number, createdAt: number): number {
  if (world.quarterPush === 0) return at;
  const pushed = random.chance(world.quarterPush);
  if (!pushed || new Date(at).getUTCMonth() % 3 !== 0) return at;
  const moved = sameFractionOfPreviousMonth(at);
  return moved > createdAt ? moved : at;
}

/** The instant as far into the previous month as `at` is into its own (months differ in length). */
export function sameFractionOfPreviousMonth(at: number): number {
  const date = new Date(at);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const start = Date.UTC(year, month, 1);
  const fraction = (at - start) / (Date.UTC(year, month + 1, 1) - start);
  const previous = Date.UTC(year, month - 1, 1);
  return Math.floor(previous + fraction * (start - previous));
}

function pullToMonthEnd(world: World, random: Random, at: number): number {
  const date = new Date(at);
  const month = date.getUTCMonth();
  const pull = month % 3 === 2 ? world.quarterEndPull : world.monthEndPull;
  if (!random.chance(pull)) return at;
  const lastDay = Date.UTC(date.getUTCFullYear(), month + 1, 0, 16, 0);
  return Math.max(at, lastDay);
}
