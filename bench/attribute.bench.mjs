// Attribution benchmark: whole-command wall time and peak RSS of `closedloop attribute` on a
// generated 1M-row paths file, compared with a floor process that only reads and splits the file.
// Run with `npm run bench` (builds first). BENCH_ROWS=N gives a quick smoke run on N rows.
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random } from '../dist/sim/random.js';

/** Seeded draws in [0, 1): the file must be identical on every machine and every run. */
const seeded = (seed) => {
  const random = new Random(seed);
  return () => random.next();
};

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);
const outDir = join(benchDir, 'out');
const runs = 3;
const maxBytesPerTouch = 150;
// Bump when the generator changes, so a stale file from older code is not reused.
const generatorVersion = 3;

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
if (!Number.isInteger(rows) || rows < 1) throw new Error(`BENCH_ROWS must be a positive integer`);

// Failures before the first success with probability p: 0, 1, 2, ... with mean (1 - p) / p.
function geometric(random, p) {
  let k = 0;
  while (random() >= p) k++;
  return k;
}

/** Writes the paths CSV unless a matching one exists; returns { rows, touches, bytes }. */
function ensurePathsFile(file) {
  const sidecar = `${file}.json`;
  if (existsSync(file) && existsSync(sidecar)) {
    const meta = JSON.parse(readFileSync(sidecar, 'utf8'));
    // Size check is a cheap guard against a truncated or hand-edited file.
    if (
      meta.version === generatorVersion &&
      meta.rows === rows &&
      meta.bytes === statSync(file).size
    )
      return meta;
  }
  const random = seeded(20240601);
  // Zipf-like popularity: real channel mixes are dominated by a few channels. One of the twelve
  // is Direct, so that last_non_direct has Direct touches to skip.
  const channels = Array.from({ length: 11 }, (_, i) => `ch${String(i + 1).padStart(2, '0')}`);
  channels.splice(2, 0, 'Direct');
  const weights = channels.map((_, i) => 1 / (i + 1) ** 1.1);
  const total = weights.reduce((sum, w) => sum + w, 0);
  let acc = 0;
  const cumulative = weights.map((w) => {
    acc += w / total;
    return acc;
  });
  const pickChannel = () => {
    const r = random();
    const i = cumulative.findIndex((c) => r < c);
    return channels[i === -1 ? channels.length - 1 : i];
  };

  mkdirSync(outDir, { recursive: true });
  const fd = openSync(file, 'w');
  let touches = 0;
  let bytes = 0;
  let batch = ['path;total_conversions;total_conversion_value;total_null'];
  const flush = () => {
    const text = `${batch.join('\n')}\n`;
    bytes += writeSync(fd, text);
    batch = [];
  };
  for (let row = 0; row < rows; row++) {
    const length = 1 + geometric(random, 0.25); // mean 4
    touches += length;
    const path = Array.from({ length }, pickChannel).join(' > ');
    const conversions = random() < 0.3 ? 1 + geometric(random, 0.6) : 0;
    const value =
      conversions === 0
        ? '0'
        : (conversions * (1 + random() * 199)).toFixed(random() < 0.5 ? 2 : 3);
    // At least one journey per row: a path nobody followed would be meaningless input.
    const nulls = geometric(random, 0.5) + (conversions === 0 ? 1 : 0);
    batch.push(`${path};${conversions};${value};${nulls}`);
    if (batch.length === 10_000) flush();
  }
  flush();
  closeSync(fd);
  const meta = { version: generatorVersion, rows, touches, bytes };
  writeFileSync(sidecar, `${JSON.stringify(meta)}\n`);
  return meta;
}

/** Spawns `node --import report-rss.mjs ...args`; resolves wall seconds, peak KB and stdout. */
function measure(args) {
  const rssFile = join(tmpdir(), `closedloop-bench-rss-${process.pid}`);
  const hook = join(benchDir, 'report-rss.mjs');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', hook, ...args], {
      cwd: root,
      env: { ...process.env, BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`exit ${code}: node ${args.join(' ')}`));
      resolve({ seconds, rssKb: Number(readFileSync(rssFile, 'utf8')), stdout: chunks.join('') });
    });
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const started = performance.now();
const file = join(outDir, rows === 1_000_000 ? 'paths-1m.csv' : `paths-${rows}.csv`);
const meta = ensurePathsFile(file);
console.log(
  `${file}: ${meta.rows} rows, ${meta.touches} touches, ${(meta.bytes / 1e6).toFixed(1)} MB ` +
    `(ready in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
);

const cli = (...extra) => ['dist/cli/main.js', 'attribute', '--paths', file, ...extra, '--json'];
const cases = [
  { name: 'floor', args: [join(benchDir, 'floor.mjs'), file] },
  { name: 'first', args: cli('--models', 'first'), maxRatio: 2 },
  { name: 'last', args: cli('--models', 'last'), maxRatio: 2 },
  { name: 'linear', args: cli('--models', 'linear'), maxRatio: 2 },
  { name: 'last_non_direct', args: cli('--models', 'last_non_direct') },
  { name: 'position', args: cli('--models', 'position') },
  { name: 'markov o1', args: cli('--models', 'markov', '--order', '1'), maxRatio: 4 },
  { name: 'markov o2', args: cli('--models', 'markov', '--order', '2') },
  { name: 'markov o3', args: cli('--models', 'markov', '--order', '3'), maxRatio: 8 },
  { name: 'shapley', args: cli('--models', 'shapley'), maxRatio: 4 },
  { name: 'shapley_simplified', args: cli('--models', 'shapley_simplified') },
];

// Rounds interleave the cases, so a slow patch on the machine hits every case, not just one.
const samples = new Map(cases.map((c) => [c.name, []]));
try {
  for (let round = 1; round <= runs; round++) {
    for (const c of cases) {
      const result = await measure(c.args);
      if (c.name === 'floor') {
        if (!/^\d+\n$/.test(result.stdout)) throw new Error(`floor printed ${result.stdout}`);
      } else if (typeof JSON.parse(result.stdout).models !== 'object') {
        throw new Error(`${c.name}: JSON has no models`);
      }
      samples.get(c.name).push(result);
      console.log(`round ${round} ${c.name.padEnd(18)} ${result.seconds.toFixed(2)} s`);
    }
  }
} catch (error) {
  console.error(`bench: ${error.message}`);
  process.exit(1);
}

const floorSeconds = median(samples.get('floor').map((s) => s.seconds));
const table = [['case', 'median s', 'rows/s', 'x floor', 'peak MB', 'B/touch', 'target', 'result']];
for (const c of cases) {
  const seconds = median(samples.get(c.name).map((s) => s.seconds));
  const peakKb = Math.max(...samples.get(c.name).map((s) => s.rssKb));
  const ratio = seconds / floorSeconds;
  const perTouch = (peakKb * 1024) / meta.touches;
  const isFloor = c.name === 'floor';
  const targets = [];
  const verdicts = [];
  if (c.maxRatio) {
    targets.push(`<=${c.maxRatio}x`);
    verdicts.push(ratio <= c.maxRatio ? 'PASS' : 'MISS');
  }
  if (!isFloor) {
    targets.push(`<${maxBytesPerTouch}B`);
    verdicts.push(perTouch < maxBytesPerTouch ? 'PASS' : 'MISS');
  }
  table.push([
    c.name,
    seconds.toFixed(2),
    Math.round(meta.rows / seconds).toLocaleString('en-US'),
    ratio.toFixed(2),
    (peakKb / 1024).toFixed(0),
    perTouch.toFixed(1),
    targets.join(' ') || '-',
    verdicts.join(' ') || '-',
  ]);
}
const widths = table[0].map((_, col) => Math.max(...table.map((row) => row[col].length)));
console.log();
for (const row of table) {
  // Left-align text columns, right-align numbers.
  console.log(
    row
      .map((cell, col) =>
        col === 0 || col >= 6 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]),
      )
      .join('  ')
      .trimEnd(),
  );
}
console.log(
  `\npeak MB = max RSS over ${runs} runs (MiB); B/touch = peak RSS bytes / ${meta.touches} touches`,
);

// One converting path of 30,000 touches: shapley_simplified looks up a counterfactual for every
// position, which must stay near linear in the path's length (rebuilding each as text took 30 s).
const longTouches = 30_000;
const longFile = join(outDir, `long-path-${longTouches}.csv`);
{
  const random = seeded(20240602);
  const path = Array.from({ length: longTouches }, () => `ch${1 + Math.floor(random() * 10)}`);
  writeFileSync(
    longFile,
    `path;total_conversions;total_conversion_value;total_null\n${path.join(' > ')};1;100;0\n`,
  );
}
const longCli = (model) => [
  'dist/cli/main.js',
  'attribute',
  '--paths',
  longFile,
  '--models',
  model,
  '--json',
];
const longCases = [
  { name: 'linear', args: longCli('linear') },
  { name: 'shapley_simplified', args: longCli('shapley_simplified'), maxRatio: 3 },
];
const longSamples = new Map(longCases.map((c) => [c.name, []]));
try {
  for (let round = 1; round <= runs; round++) {
    for (const c of longCases) {
      const result = await measure(c.args);
      longSamples.get(c.name).push(result.seconds);
      console.log(`round ${round} long ${c.name.padEnd(18)} ${result.seconds.toFixed(2)} s`);
    }
  }
} catch (error) {
  console.error(`bench: ${error.message}`);
  process.exit(1);
}
const longBaseline = median(longSamples.get('linear'));
console.log(`\none path of ${longTouches.toLocaleString('en-US')} touches (baseline: linear)`);
for (const c of longCases) {
  const seconds = median(longSamples.get(c.name));
  const ratio = seconds / longBaseline;
  const verdict = c.maxRatio ? `<=${c.maxRatio}x ${ratio <= c.maxRatio ? 'PASS' : 'MISS'}` : '-';
  console.log(
    `${c.name.padEnd(18)}  ${seconds.toFixed(2)} s  ${ratio.toFixed(2)} x linear  ${verdict}`,
  );
}

console.log(`total bench time ${((performance.now() - started) / 1000).toFixed(1)} s`);
