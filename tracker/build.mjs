// Builds the browser tracker into dist/tracker/t.js and holds it to its size budget.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist/tracker/t.js');
/** The budget: 2 KB gzipped, at zlib's default level (what most servers use). */
export const gzipLimit = 2048;

const result = await build({
  entryPoints: [join(root, 'tracker/src/index.ts')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2017',
  legalComments: 'none',
  // The bundle's code is strict-safe; the directive would only cost bytes.
  tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
  write: false,
});
const code = result.outputFiles[0].contents;
mkdirSync(dirname(outfile), { recursive: true });
writeFileSync(outfile, code);
const gzipped = gzipSync(code).length;
process.stdout.write(
  `tracker: dist/tracker/t.js ${code.length} bytes, ${gzipped} gzipped (limit ${gzipLimit})\n`,
);
if (gzipped > gzipLimit) {
  process.stderr.write(`tracker: ${gzipped} bytes gzipped is over the ${gzipLimit}-byte limit\n`);
  process.exit(1);
}
