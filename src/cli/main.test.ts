import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../test-support/run-cli.js';
import { tempDirectory, tempFiles } from '../test-support/temp-files.js';

const cli = resolve(import.meta.dirname, '../../dist/cli/main.js');
const dir = tempDirectory();
const file = tempFiles();

describe('closedloop', () => {
  it("puts commander's own errors and their suggestion on one line", () => {
    for (const [args, expected] of [
      [['attribute', '--jsn'], "unknown option '--jsn' (did you mean --json?)"],
      [['workspace', 'creat'], "unknown command 'creat' (did you mean create?)"],
    ] as const) {
      const result = runCli(args);
      expect(result.status, args.join(' ')).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(`closedloop: CL_ERR_USAGE: ${expected}\n`);
    }
  });

  it('refuses with one line a --db that is a folder or not a SQLite database, exit 1', () => {
    const csv = file('touchpoints.csv', 'visitor,channel,at\nv1,email,2024-01-01\n');
    for (const [args, expected] of [
      [['funnel', '--db', dir], `${dir} is a directory; expected a database file`],
      [['workspace', 'create', '--name', 'T', '--db', csv], `${csv} is not a SQLite database`],
      [
        ['serve', '--db', csv, '--port', '0', '--host', '127.0.0.1'],
        `${csv} is not a SQLite database`,
      ],
    ] as const) {
      const result = runCli(args);
      expect(result.stderr, args.join(' ')).toBe(`closedloop: CL_ERR_USAGE: --db: ${expected}\n`);
      expect(result.status).toBe(1);
    }
  });

  it('exits 2 with one line when stdout cannot be written', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const result = spawnSync(
        process.execPath,
        [cli, 'workspace', 'list', '--db', join(dir, 'full.db')],
        { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' },
      );
      expect(result.stderr).toBe(
        'closedloop: CL_ERR_OUTPUT: stdout: ENOSPC: no space left on device\n',
      );
      expect(result.status).toBe(2);
    } finally {
      closeSync(full);
    }
  });

  it('exits 0 quietly when the reader closes the pipe early, as `| head` does', async () => {
    // Far more output than a pipe buffers, so the writer meets the closed pipe.
    const rows = file('many.csv', `source,medium\n${'google,cpc\n'.repeat(200_000)}`);
    const child = spawn(process.execPath, [cli, 'channels', 'classify', rows], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const status = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });
});
