// The world simulator: one year for 100,000 visitors, sessions and collector events included.
// Baseline, in the same run: allocating the same number of plain session objects filled from
// Math.random — the floor any simulator of that many sessions pays.
import { performance } from 'node:perf_hooks';
import { collectorEvents, simulate } from '../dist/sim/simulate.js';
import { createWorld } from '../dist/sim/world.js';

const visitors = Number(process.env.BENCH_VISITORS ?? 100_000);

function time(run) {
  const started = performance.now();
  const result = run();
  return { seconds: (performance.now() - started) / 1000, result };
}

const sim = time(() => simulate(createWorld({ seed: 1, months: 12, visitors })));
const sessions = sim.result.visitors.reduce((sum, v) => sum + v.sessions.length, 0);
const events = time(() => {
  let count = 0;
  for (const _ of collectorEvents(sim.result)) count++;
  return count;
});
const baseline = time(() => {
  const objects = [];
  for (let i = 0; i < sessions; i++) {
    objects.push({
      id: `s-${i}`,
      at: Math.random() * 1e12,
      channel: Math.floor(Math.random() * 10),
      pages: [Math.random()],
    });
  }
  return objects.length;
});

const rate = (count, seconds) => Math.round(count / seconds).toLocaleString('en');
console.log(`simulator: ${visitors.toLocaleString('en')} visitors over 12 months`);
console.log(
  `  baseline  ${baseline.seconds.toFixed(2)} s  (${sessions.toLocaleString('en')} plain session objects)`,
);
console.log(
  `  simulate  ${sim.seconds.toFixed(2)} s  ${rate(sessions, sim.seconds)} sessions/s  ` +
    `${(sim.seconds / baseline.seconds).toFixed(1)}x baseline`,
);
console.log(
  `  events    ${events.seconds.toFixed(2)} s  ${events.result.toLocaleString('en')} events, ${rate(events.result, events.seconds)} events/s`,
);
