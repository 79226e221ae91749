// The forecast's accuracy on simulated companies, against the same targets as on the Maven CRM
// sample: Closedloop's WAPE at least 20 % below every baseline (revenue and won-deal counts), and
// its P10–P90 band holding 65–95 % of the actual months.
//
// Each company is the simulator's B2B company over three years, as many visitors as bring about
// 110 won deals a month (Maven's sample wins about 420), with a sales team that pulls a third of the
// closes due in a quarter's first month into the quarter before (Maven's monthly wins show the same
// saw-tooth). Seeds 11–13 were never used to develop the forecast. Monthly as-of dates 2027-07-01 to
// 2028-09-01 (after 18 months of history), one to three months ahead, as in the Maven check.
import { backtestForecast } from '../dist/core/backtest/backtest.js';
import { simDeals, simPipeline } from '../dist/sim/crm-deals.js';
import { simulate } from '../dist/sim/simulate.js';
import { createWorld, endOf } from '../dist/sim/world.js';

const seeds = (process.env.BENCH_SEEDS ?? '11,12,13').split(',').map(Number);
const visitors = Number(process.env.BENCH_VISITORS ?? 600_000);
const quarterPush = 0.35;
const baselines = ['weighted_pipeline', 'trailing_average', 'last_month'];
const pct = (x) => (x === null ? '    —' : `${(100 * x).toFixed(1).padStart(5)}`);
const verdict = (ok) => (ok ? 'PASS' : 'MISS');

console.log(
  `forecast accuracy on simulated companies: ${visitors.toLocaleString('en')} visitors, 36 months, quarter push ${quarterPush}`,
);
let allMet = true;
for (const seed of seeds) {
  const started = performance.now();
  const simulated = simulate(createWorld({ seed, visitors, months: 36, quarterPush }));
  const deals = simDeals(simulated);
  const won = deals.filter((deal) => deal.status === 'won').length;
  const report = backtestForecast({
    deals,
    pipelines: [simPipeline(simulated)],
    timeZone: 'UTC',
    currency: simulated.world.currency,
    amountOf: (deal) => deal.amountMinor,
    from: '2027-07-01',
    to: '2028-09-01',
    horizon: 3,
    seed,
    // The simulated company's present is the end of its 36 months, whatever the clock says.
    now: endOf(simulated.world),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(
    `\nseed ${seed}: ${deals.length.toLocaleString('en')} deals, ${(won / 36).toFixed(0)} won a month on average (${seconds} s)`,
  );
  console.log('  method               revenue WAPE  bias   cover80 | count WAPE  bias   cover80');
  for (const name of ['closedloop', ...baselines]) {
    const { revenue, count } = report.metrics[name];
    console.log(
      `  ${name.padEnd(20)} ${pct(revenue.wape)} %   ${pct(revenue.bias)}  ${pct(revenue.coverage80)} | ${pct(count.wape)} %  ${pct(count.bias)}  ${pct(count.coverage80)}`,
    );
  }
  for (const metric of ['revenue', 'count']) {
    const ours = report.metrics.closedloop[metric];
    const best = Math.min(...baselines.map((name) => report.metrics[name][metric].wape ?? 1));
    const lower = 1 - (ours.wape ?? 1) / best;
    const wapeMet = lower >= 0.2;
    const coverageMet =
      ours.coverage80 !== null && ours.coverage80 >= 0.65 && ours.coverage80 <= 0.95;
    allMet &&= wapeMet && coverageMet;
    console.log(
      `  ${metric.padEnd(8)} WAPE ${(100 * lower).toFixed(1)} % below the best baseline (target >= 20 %) ${verdict(wapeMet)}; coverage ${pct(ours.coverage80)} % (target 65-95 %) ${verdict(coverageMet)}`,
    );
  }
}
console.log(`\nall targets on every seed: ${verdict(allMet)}`);
