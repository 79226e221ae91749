// The forecast's Monte Carlo at scale: 100,000 open deals, 10,000 draws, 12 months (target < 10 s),
// on a synthetic history of 60,000 closed deals. Baseline, in the same run: a plain loop drawing as
// many random numbers as the draws would with one binomial per group and month (groups × draws ×
// 13 uniforms) — the floor of any grouped Monte Carlo — and the naive per-deal count for scale.
import { performance } from 'node:perf_hooks';
import { blankDeal } from '../dist/core/deals.js';
import { fitModel } from '../dist/core/forecast/model.js';
import { drawOutcomes } from '../dist/core/forecast/monte-carlo.js';
import { summarisePeriods } from '../dist/core/forecast/periods.js';
import { SeededRandom } from '../dist/core/forecast/random.js';

const openDeals = Number(process.env.BENCH_OPEN_DEALS ?? 100_000);
const draws = Number(process.env.BENCH_DRAWS ?? 10_000);
const horizon = 12;
const dayMs = 86_400_000;
const asOf = Date.UTC(2027, 0, 1);
const stages = ['Qualification', 'Discovery', 'Proposal', 'Negotiation'];
const pipeline = {
  name: 'sales',
  stages: [
    ...stages.map((name, i) => ({
      name,
      phase: 'consideration',
      outcome: null,
      probability: (i + 1) / 5,
    })),
    { name: 'Won', phase: 'decision', outcome: 'won', probability: 1 },
    { name: 'Lost', phase: 'decision', outcome: 'lost', probability: 0 },
  ],
};
const segments = ['SMB', 'Mid-market', 'Enterprise'];
const random = new SeededRandom(42);
const at = (ms) => ({ at: ms, dateOnly: false });

function dealOf(id, createdAt, status, closesAt, reached) {
  const history = [];
  for (let s = 0; s < reached; s++) {
    history.push({
      stage: stages[s],
      enteredAt: at(createdAt + ((closesAt - createdAt) * s) / reached),
    });
  }
  if (status !== 'open')
    history.push({ stage: status === 'won' ? 'Won' : 'Lost', enteredAt: at(closesAt) });
  const known = random.next() < 0.7;
  return blankDeal(`d${id}`, {
    workspaceId: 'bench',
    source: 'bench',
    amountMinor: known ? Math.round(100_000 * Math.exp(2 * random.next())) * 10 : null,
    currency: 'USD',
    pipeline: 'sales',
    stage: history.at(-1)?.stage ?? null,
    status,
    createdAt: at(createdAt),
    closedAt: status === 'open' ? null : at(closesAt),
    segment: segments[Math.floor(random.next() * 3)],
    history,
  });
}

const deals = [];
for (let i = 0; i < 60_000; i++) {
  const createdAt = asOf - (30 + random.next() * 700) * dayMs;
  const closesAt = Math.min(asOf - dayMs, createdAt + (5 + random.next() * 120) * dayMs);
  const won = random.next() < 0.3;
  deals.push(
    dealOf(
      i,
      createdAt,
      won ? 'won' : 'lost',
      closesAt,
      won ? 4 : 1 + Math.floor(random.next() * 4),
    ),
  );
}
for (let i = 0; i < openDeals; i++) {
  const createdAt = asOf - (1 + random.next() * 400) * dayMs;
  deals.push(dealOf(60_000 + i, createdAt, 'open', asOf, 1 + Math.floor(random.next() * 4)));
}

function time(run) {
  const started = performance.now();
  const result = run();
  return { seconds: (performance.now() - started) / 1000, result };
}

const settings = {
  runRateMonths: 6,
  seasonality: true,
  calendar: true,
  hazardWindowMonths: null,
  bySegment: true,
  extraSpread: 0.2,
};
const input = {
  deals,
  pipelines: [pipeline],
  timeZone: 'UTC',
  amountOf: (deal) => deal.amountMinor,
  asOf,
  horizon,
  dealSize: 'average',
};
const fit = time(() => fitModel(input, settings));
const model = fit.result;
const monteCarlo = time(() =>
  drawOutcomes(model, { draws, seed: 1, extraSpread: settings.extraSpread }),
);
const summary = time(() => summarisePeriods(model, monteCarlo.result, []));
const groups = model.groups.length;
const baseline = time(() => {
  const floor = new SeededRandom(7);
  let sum = 0;
  for (let d = 0; d < draws; d++)
    for (let g = 0; g < groups; g++) for (let k = 0; k <= horizon; k++) sum += floor.next();
  return sum;
});

const total = fit.seconds + monteCarlo.seconds + summary.seconds;
const fmt = (n) => n.toLocaleString('en');
console.log(
  `forecast: ${fmt(openDeals)} open deals (${fmt(groups)} groups), ${fmt(draws)} draws, ${horizon} months; ${fmt(deals.length - openDeals)} closed deals of history`,
);
console.log(
  `  baseline  ${baseline.seconds.toFixed(2)} s  (${fmt(draws * groups * (horizon + 1))} uniforms: groups × draws × ${horizon + 1})`,
);
console.log(`  fit       ${fit.seconds.toFixed(2)} s  (hazards, chances per deal, groups)`);
console.log(
  `  draws     ${monteCarlo.seconds.toFixed(2)} s  (${(monteCarlo.seconds / baseline.seconds).toFixed(2)}× the baseline)`,
);
console.log(`  bands     ${summary.seconds.toFixed(2)} s  (months, quarters, years)`);
console.log(
  `  total     ${total.toFixed(2)} s  (${(total / baseline.seconds).toFixed(2)}× the baseline; target < 10 s: ${total < 10 ? 'met' : 'NOT met'}); a draw per deal would be ${fmt(openDeals * draws)} draws`,
);
