// The floor: the least work any attribution must do on a paths file (read it, split lines,
// split each path on '>', count channels). Its whole-process wall time is the benchmark baseline.
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2], 'utf8').split('\n');
const counts = new Map();
for (let i = 1; i < lines.length; i++) {
  const line = lines[i];
  if (line === '') continue;
  for (const raw of line.slice(0, line.indexOf(';')).split('>')) {
    const channel = raw.trim();
    counts.set(channel, (counts.get(channel) ?? 0) + 1);
  }
}
console.log(counts.size);
