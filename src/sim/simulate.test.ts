import { describe, expect, it } from 'vitest';
import { createModel } from '../core/attribution/registry.js';
import { attributeJourneys } from '../core/attribution/report.js';
import { classifyChannel } from '../core/channels/classify.js';
import { withLandingParams } from '../core/channels/landing-params.js';
import { compareWithTruth } from './compare.js';
import { type SimDeal, sameFractionOfPreviousMonth } from './deals.js';
import { journeyBatchOf } from './journeys.js';
import { Random } from './random.js';
import { collectorEvents, simulate } from './simulate.js';
import { expectedRevenueByMonth, logNormalCdf, trueContributions } from './truth.js';
import { createWorld, defaultChannels, endOf } from './world.js';

const world = createWorld({ seed: 7, visitors: 4_000 });
const simulated = simulate(world);
const visitors = simulated.visitors;
const leads = visitors.filter((v) => v.lead !== undefined);
const deals = visitors.flatMap((v) => (v.deal === undefined ? [] : [v.deal]));

describe('the simulator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const again = simulate(createWorld({ seed: 7, visitors: 4_000 }));
    expect([...collectorEvents(again)]).toEqual([...collectorEvents(simulated)]);
    const other = simulate(createWorld({ seed: 8, visitors: 4_000 }));
    expect(other.visitors.map((v) => v.sessions.length)).not.toEqual(
      visitors.map((v) => v.sessions.length),
    );
  });

  it('makes multi-session journeys inside the simulated months, in time order', () => {
    const end = endOf(world);
    const sessions = visitors.flatMap((v) => v.sessions);
    expect(sessions.length).toBeGreaterThan(visitors.length * 2);
    for (const visitor of visitors) {
      const times = visitor.sessions.map((s) => s.startedAt);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      for (const at of times) expect(at >= world.start && at < end).toBe(true);
    }
    // Awareness channels open journeys and Direct closes them, whatever their true effects.
    const firstChannels = visitors.flatMap((v) =>
      v.sessions.length > 1 ? [v.sessions[0]?.channel] : [],
    );
    const lastChannels = visitors.flatMap((v) =>
      v.sessions.length > 1 ? [v.sessions[v.sessionsBeforeLead - 1]?.channel] : [],
    );
    const share = (list: unknown[], name: string) =>
      list.filter((c) => c === name).length / list.length;
    expect(share(firstChannels, 'Display')).toBeGreaterThan(0.25);
    expect(share(lastChannels, 'Direct')).toBeGreaterThan(0.4);
  });

  it('emits collector events: every page, and an identify and form submit per lead', () => {
    const events = [...collectorEvents(simulated)];
    const pages = visitors.reduce(
      (sum, v) => sum + v.sessions.reduce((s, session) => s + session.pages.length, 0),
      0,
    );
    expect(events.filter((e) => e.type === 'page')).toHaveLength(pages);
    expect(events.filter((e) => e.type === 'track' && e.event === 'form_submit')).toHaveLength(
      leads.length,
    );
    expect(new Set(events.map((e) => e.messageId)).size).toBe(events.length);
    const landing = events.find((e) => e.type === 'page' && e.context.campaign?.medium === 'cpc');
    expect(landing?.context.page?.url).toMatch(
      /[?&]utm_source=google&utm_medium=cpc&utm_campaign=/,
    );
    // People back on a second device after becoming leads are recognised there with the same email.
    const twoDevices = leads.filter((v) => {
      const leadDevice = v.sessions[v.sessionsBeforeLead - 1]?.anonymousId;
      return v.sessions.some((s) => s.afterLead && s.anonymousId !== leadDevice);
    });
    expect(twoDevices.length).toBeGreaterThan(0);
    for (const visitor of twoDevices) {
      const ids = events.filter(
        (e) => e.type === 'identify' && e.traits?.email === visitor.person?.email,
      );
      expect(new Set(ids.map((e) => e.anonymousId)).size).toBe(2);
    }
  });

  it('turns leads into deals with stage histories, amounts in minor units, wins and losses', () => {
    expect(deals.length / leads.length).toBeGreaterThan(0.25);
    expect(deals.length / leads.length).toBeLessThan(0.45);
    const end = endOf(world);
    for (const deal of deals) {
      expect(Number.isSafeInteger(deal.amount) && deal.amount > 0).toBe(true);
      expect(deal.history[0]).toEqual({ stage: 'Qualification', enteredAt: deal.createdAt });
      const times = deal.history.map((entry) => entry.enteredAt);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      const last = deal.history[deal.history.length - 1]?.stage;
      if (deal.status === 'won') expect(last).toBe('Closed Won');
      if (deal.status === 'lost') expect(last).toBe('Closed Lost');
      if (deal.status === 'open') expect(deal.closesAt).toBeGreaterThanOrEqual(end);
    }
    expect(new Set(deals.map((d) => d.status))).toEqual(new Set(['open', 'won', 'lost']));
  });

  it('bunches closes at month ends, more in the last month of a quarter', () => {
    const big = simulate(createWorld({ seed: 3, visitors: 30_000 }));
    const closes = big.visitors.flatMap((v) =>
      v.deal === undefined ? [] : [new Date(v.deal.closesAt)],
    );
    const atMonthEnd = (d: Date) =>
      new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)).getUTCDate() ===
      1;
    const quarterEnd = closes.filter((d) => d.getUTCMonth() % 3 === 2);
    const otherMonths = closes.filter((d) => d.getUTCMonth() % 3 !== 2);
    const share = (list: Date[]) => list.filter(atMonthEnd).length / list.length;
    // Uniform closes would put about 1 in 30 on a month's last day.
    expect(share(otherMonths)).toBeGreaterThan(0.15);
    expect(share(quarterEnd)).toBeGreaterThan(share(otherMonths) + 0.1);
  });

  it('charges paid sessions as daily spend per channel and campaign', () => {
    const cost = new Map(defaultChannels.map((c) => [c.name, c.costPerSession]));
    const expected = new Map<string, number>();
    for (const session of visitors.flatMap((v) => v.sessions)) {
      expected.set(
        session.channel,
        (expected.get(session.channel) ?? 0) + (cost.get(session.channel) ?? 0),
      );
    }
    const charged = new Map<string, number>();
    for (const row of simulated.spend) {
      expect(Number.isSafeInteger(row.amount)).toBe(true);
      expect(row.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      charged.set(row.channel, (charged.get(row.channel) ?? 0) + row.amount);
    }
    for (const [channel, amount] of expected) expect(charged.get(channel) ?? 0).toBe(amount);
    expect(charged.has('Direct')).toBe(false);
  });
});

describe('the journey batch of a simulated world', () => {
  it('holds one journey per visitor with a lead as conversion', () => {
    const batch = journeyBatchOf(simulated, 'leads');
    const total = batch.conversions.reduce((sum, x) => sum + x, 0);
    expect(total).toBe(leads.length);
    expect(batch.journeyCount).toBe(visitors.filter((v) => v.sessions.length > 0).length);
  });
  it('values won revenue in major units and marks lead, deal and won touches', () => {
    const batch = journeyBatchOf(simulated, 'revenue');
    const won = deals.filter((d) => d.status === 'won');
    expect(batch.value.reduce((sum, x) => sum + x, 0)).toBeCloseTo(
      won.reduce((sum, d) => sum + d.amount, 0) / 100,
      6,
    );
    for (let j = 0; j < batch.journeyCount; j++) {
      if (batch.conversions[j] === 0) continue;
      const n = batch.touchOffsets[j + 1] - batch.touchOffsets[j];
      expect(batch.leadTouch[j]).toBeGreaterThanOrEqual(0);
      expect(batch.dealTouch[j]).toBeGreaterThanOrEqual(batch.leadTouch[j]);
      expect(batch.wonTouch[j]).toBe(n - 1);
    }
  });
});

describe('ground truth', () => {
  it('gives no contribution to a channel with no effect, and all of it to the only channel that has one', () => {
    const channels = defaultChannels.map((c) => ({ ...c, effect: c.name === 'Email' ? 0.08 : 0 }));
    const truth = trueContributions(simulate(createWorld({ seed: 2, visitors: 3_000, channels })));
    for (const row of truth) {
      expect(row.leadShare).toBe(row.channel === 'Email' ? 1 : 0);
      if (row.channel !== 'Email') expect(row.leads).toBe(0);
    }
  });

  it("expects revenue per coming month that sums to the open deals' expected wins", () => {
    const months = expectedRevenueByMonth(simulated, 240);
    expect(months[0]?.month).toBe('2027-01');
    const open = deals.filter((d) => d.status === 'open');
    const winRate = new Map(world.segments.map((s) => [s.name, s.winRate]));
    const all = open.reduce((sum, d) => sum + d.amount * (winRate.get(d.segment) ?? 0), 0);
    expect(months.reduce((sum, m) => sum + m.expected, 0) / all).toBeCloseTo(1, 4);
    expect(months[0]?.expected).toBeGreaterThan(months[5]?.expected ?? Number.POSITIVE_INFINITY);
  });

  it("pushes a share of the closes due in a quarter's first month into the month before", () => {
    const dealsOf = (quarterPush: number) =>
      simulate(createWorld({ seed: 3, visitors: 100_000, quarterPush })).visitors.flatMap((v) =>
        v.deal === undefined ? [] : [v.deal],
      );
    const even = dealsOf(0);
    const pushed = dealsOf(0.35);
    // The same deals, due in the same months: only the push (and the draws after it) differ.
    expect(pushed.map((d) => d.createdAt)).toEqual(even.map((d) => d.createdAt));
    const monthOf = (at: number) => new Date(at).getUTCFullYear() * 12 + new Date(at).getUTCMonth();
    // Due in a quarter's first month, movable to the same point of the month before without
    // preceding the deal's creation: pushable.
    const pushable = even.flatMap((deal, i) =>
      monthOf(deal.closesAt) % 3 === 0 &&
      sameFractionOfPreviousMonth(deal.closesAt) > deal.createdAt
        ? [i]
        : [],
    );
    const moved = pushable.filter((i) => {
      const [was, now] = [even[i] as SimDeal, pushed[i] as SimDeal];
      return monthOf(now.closesAt) === monthOf(was.closesAt) - 1;
    });
    expect(pushable.length).toBeGreaterThan(300);
    expect(moved.length / pushable.length).toBeGreaterThan(0.28);
    expect(moved.length / pushable.length).toBeLessThan(0.42);
    // Nothing else changes month, and nothing closes before it was created.
    pushed.forEach((deal, i) => {
      const shift = monthOf((even[i] as SimDeal).closesAt) - monthOf(deal.closesAt);
      expect(shift === 0 || (shift === 1 && monthOf(deal.closesAt) % 3 === 2)).toBe(true);
      expect(deal.closesAt).toBeGreaterThan(deal.createdAt);
    });
  });

  it('expects the wins of open deals month by month, pushed closes included', () => {
    // Ends on 2027-01-01, a quarter's first day: closes due in January were partly pushed into
    // December, before the end, and those deals are no longer open. With every amount 1, the
    // expected revenue is the expected number of wins, a sum of independent chances.
    const raw = simulate(createWorld({ seed: 5, visitors: 100_000, quarterPush: 0.35 }));
    const counted = {
      ...raw,
      visitors: raw.visitors.map((v) => (v.deal ? { ...v, deal: { ...v.deal, amount: 1 } } : v)),
    };
    const months = expectedRevenueByMonth(counted, 4);
    const open = raw.visitors.flatMap((v) => (v.deal?.status === 'open' ? [v.deal] : []));
    for (const { month, expected } of months) {
      const won = open.filter(
        (d) => d.wins && new Date(d.closesAt).toISOString().startsWith(month),
      ).length;
      expect(Math.abs(won - expected), month).toBeLessThan(4 * Math.sqrt(expected) + 1);
    }
    const winRate = new Map(raw.world.segments.map((s) => [s.name, s.winRate]));
    const all = open.reduce((sum, d) => sum + (winRate.get(d.segment) ?? 0), 0);
    const everything = expectedRevenueByMonth(counted, 240);
    expect(everything.reduce((sum, m) => sum + m.expected, 0) / all).toBeCloseTo(1, 4);
    // Without the push, January would expect more: the push took some of its wins into December.
    const unpushed = simulate(createWorld({ seed: 5, visitors: 100_000 }));
    const plain = expectedRevenueByMonth(
      {
        ...unpushed,
        visitors: unpushed.visitors.map((v) =>
          v.deal ? { ...v, deal: { ...v.deal, amount: 1 } } : v,
        ),
      },
      1,
    );
    expect(months[0]?.expected).toBeLessThan(0.9 * (plain[0]?.expected ?? 0));
  });

  it('uses a log-normal distribution function that matches the draws', () => {
    const random = new Random(11);
    const draws = Array.from({ length: 100_000 }, () => random.logNormal(30, 0.5));
    for (const x of [10, 20, 30, 45, 80]) {
      const empirical = draws.filter((d) => d <= x).length / draws.length;
      expect(Math.abs(empirical - logNormalCdf(x, 30, 0.5))).toBeLessThan(0.005);
    }
  });

  it('is closer to the data-driven models than to first and last click', () => {
    for (const seed of [1, 2, 3]) {
      const sim = simulate(createWorld({ seed, visitors: 20_000 }));
      const batch = journeyBatchOf(sim, 'leads');
      const report = attributeJourneys(
        [batch],
        ['first', 'last', 'markov', 'shapley'].map((name) => createModel(name as 'first')),
        batch.journeyCount,
      );
      const l1 = Object.fromEntries(
        compareWithTruth(report, trueContributions(sim), 'leads').map((m) => [m.model, m.l1]),
      );
      const positional = Math.min(l1.first ?? 0, l1.last ?? 0);
      expect(l1.markov, `seed ${seed}`).toBeLessThan(positional - 0.1);
      expect(l1.shapley, `seed ${seed}`).toBeLessThan(positional - 0.1);
    }
  });
});

describe('the simulated sessions on the wire', () => {
  it('classify to the channel the simulator meant, every one', () => {
    const sessions = visitors.flatMap((v) => v.sessions);
    const wrong = sessions.filter(
      (s) =>
        classifyChannel(withLandingParams({ referrer: s.referrer, landingUrl: s.landingUrl })) !==
        s.channel,
    );
    expect(sessions.length).toBeGreaterThan(1_000);
    expect(wrong.map((s) => `${s.channel}: ${s.landingUrl} from ${s.referrer}`)).toEqual([]);
  });
});
