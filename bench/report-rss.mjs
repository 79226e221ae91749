// Preloaded with `node --import` into every measured process. It writes the peak resident set
// size (kilobytes on Linux) to the file named by BENCH_RSS_FILE, because stdout carries the JSON.
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS)));
}
