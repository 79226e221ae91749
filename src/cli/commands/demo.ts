import type { Command } from 'commander';
import { type DemoConfig, parseDemoConfig, type RawDemoOptions } from '../../config.js';
import { createModel, modelNames } from '../../core/attribution/registry.js';
import { attributeJourneys } from '../../core/attribution/report.js';
import { compareWithTruth, type ModelAgainstTruth } from '../../sim/compare.js';
import { journeyBatchOf, type SimOutcome } from '../../sim/journeys.js';
import { type SimulatedWorld, simulate } from '../../sim/simulate.js';
import { type ChannelTruth, trueContributions } from '../../sim/truth.js';
import { createWorld, endOf } from '../../sim/world.js';
import { formatDemo } from '../output/demo-table.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'simulate a B2B company, run every model, and compare each with the true contributions',
    )
    .option('--seed <n>', 'seed of the simulation', '1')
    .option('--months <n>', 'months to simulate', '12')
    .option('--visitors <n>', 'visitors to simulate', '20000')
    .option('--json', 'print one JSON document')
    .action((options: RawDemoOptions) => {
      const config = parseDemoConfig(options);
      const demo = runDemo(config);
      process.stdout.write(config.json ? `${JSON.stringify(demo)}\n` : formatDemo(demo));
    });
}

export interface DemoReport {
  readonly world: {
    readonly seed: number;
    readonly months: number;
    readonly visitors: number;
    readonly from: string;
    readonly to: string;
  };
  readonly totals: {
    readonly sessions: number;
    readonly leads: number;
    readonly deals: number;
    readonly won: number;
    readonly wonRevenue: { readonly minor: number; readonly currency: string };
  };
  readonly truth: readonly ChannelTruth[];
  readonly leads: readonly ModelAgainstTruth[];
  readonly revenue: readonly ModelAgainstTruth[];
}

/** Every model that needs no weights of the user's. */
const demoModels = modelNames.filter((name) => name !== 'custom');

export function runDemo(config: DemoConfig): DemoReport {
  const world = createWorld({
    seed: config.seed,
    months: config.months,
    visitors: config.visitors,
  });
  const simulated = simulate(world);
  const truth = trueContributions(simulated);
  const compare = (outcome: SimOutcome) => {
    const batch = journeyBatchOf(simulated, outcome);
    const report = attributeJourneys(
      [batch],
      demoModels.map((name) => createModel(name)),
      batch.journeyCount,
    );
    return compareWithTruth(report, truth, outcome);
  };
  return {
    world: {
      seed: world.seed,
      months: world.months,
      visitors: world.visitors,
      from: new Date(world.start).toISOString().slice(0, 10),
      to: new Date(endOf(world) - 1).toISOString().slice(0, 10),
    },
    totals: totalsOf(simulated),
    truth,
    leads: compare('leads'),
    revenue: compare('revenue'),
  };
}

function totalsOf(simulated: SimulatedWorld): DemoReport['totals'] {
  let sessions = 0;
  let leads = 0;
  let deals = 0;
  let won = 0;
  let wonRevenue = 0;
  for (const visitor of simulated.visitors) {
    sessions += visitor.sessions.length;
    if (visitor.lead !== undefined) leads++;
    if (visitor.deal !== undefined) deals++;
    if (visitor.deal?.status === 'won') {
      won++;
      wonRevenue += visitor.deal.amount;
    }
  }
  return {
    sessions,
    leads,
    deals,
    won,
    wonRevenue: { minor: wonRevenue, currency: simulated.world.currency },
  };
}
