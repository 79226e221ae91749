/** The world simulator: a synthetic B2B company with known truth, for demo, tests and benchmarks. */
export { compareWithTruth, type ModelAgainstTruth } from './compare.js';
export type { SimDeal, SimPerson, StageEntry } from './deals.js';
export type { CollectorEvent } from './events.js';
export { journeyBatchOf, type SimOutcome } from './journeys.js';
export type { SimSession } from './sessions.js';
export { collectorEvents, type SimulatedWorld, type SimVisitor, simulate } from './simulate.js';
export type { SpendRow } from './spend.js';
export {
  type ChannelTruth,
  expectedRevenueByMonth,
  type MonthRevenue,
  trueContributions,
} from './truth.js';
export { createWorld, endOf, type SimChannel, type World, type WorldOptions } from './world.js';
