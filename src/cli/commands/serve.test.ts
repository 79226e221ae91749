import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openOwnConnectionIngestor } from '../../collect/own-connection.js';
import { createChannelClassifier } from '../../core/channels/classify.js';
import { buildApp } from '../../server/app.js';
import { ensureDemoWorkspace } from '../../server/demo-workspace.js';
import { openSqliteStore } from '../../store/sqlite/open.js';
import { runCli } from '../../test-support/run-cli.js';
import { tempDirectory } from '../../test-support/temp-files.js';

const cli = join(import.meta.dirname, '../../../dist/cli/main.js');
const dir = tempDirectory();

/**
 * The exit code once the child's output is all in: at 'exit' its stdio may still be open, and what
 * it wrote last may not have been read yet ('close' comes after both).
 */
function closed(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('close', (code: number | null) => resolve(code)));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === 'object' && address !== null ? address.port : 0),
      );
    });
  });
}

describe('closedloop serve', () => {
  it('listens on $PORT, fills the demo workspace through the collector, serves the tracker and the demo site, and stops cleanly on SIGTERM', async () => {
    // A port found free may be taken before the child listens on it: then it says so, and
    // exits 2, and another port is tried.
    const start = async () => {
      const port = await freePort();
      const child = spawn(
        process.execPath,
        [cli, 'serve', '--demo', '--db', join(dir, 'serve.db'), '--host', '127.0.0.1'],
        {
          env: { ...process.env, PORT: String(port) },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const output = { stdout: '', stderr: '' };
      child.stdout.on('data', (chunk: Buffer) => {
        output.stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output.stderr += chunk.toString();
      });
      const exited = closed(child);
      let code: number | null | undefined;
      void exited.then((exit) => {
        code = exit;
      });
      while (!output.stdout.includes('<script')) {
        if (code !== undefined) {
          if (code === 2 && /EADDRINUSE/.test(output.stderr)) return undefined;
          throw new Error(`serve exited ${code}: ${output.stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return { port, child, output, exited };
    };
    let started = await start();
    for (let attempt = 1; started === undefined && attempt < 5; attempt += 1) {
      started = await start();
    }
    if (started === undefined) throw new Error('serve: every port tried was taken');
    const { port, child, output, exited } = started;
    expect(output.stdout).toContain(`http://127.0.0.1:${port}`);
    const writeKey = /data-key="(wk_[A-Za-z0-9]+)"/.exec(output.stdout)?.[1];
    expect(writeKey).toBeDefined();
    expect(output.stdout).toMatch(
      /Demo workspace filled through the collector: [\d,]+ simulated events/,
    );
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    const tracker = await fetch(`http://127.0.0.1:${port}/t.js`);
    expect(tracker.status).toBe(200);
    expect(tracker.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(output.stdout).toContain(
      `Demo site with the snippet: http://127.0.0.1:${port}/demo-site/`,
    );
    const demoSite = await fetch(`http://127.0.0.1:${port}/demo-site/`);
    expect(await demoSite.text()).toContain(`<script defer src="/t.js" data-key="${writeKey}">`);
    const sent = await fetch(`http://127.0.0.1:${port}/v1/track`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ anonymousId: 'x', event: 'ping' }),
    });
    expect(sent.status).toBe(200);
    // Reports are computed in the server's report thread, on the demo's CRM deals.
    const issued = runCli([
      'workspace',
      'key',
      '--db',
      join(dir, 'serve.db'),
      '--workspace',
      'demo',
      '--json',
    ]);
    expect(issued.status, issued.stderr).toBe(0);
    const funnelResponse = await fetch(`http://127.0.0.1:${port}/api/funnel`, {
      headers: { authorization: `Bearer ${JSON.parse(issued.stdout).secretKey}` },
    });
    expect(funnelResponse.status).toBe(200);
    expect(((await funnelResponse.json()) as { deals: { won: number } }).deals.won).toBeGreaterThan(
      0,
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output.stderr).toMatch(/SIGTERM: finishing the requests in flight/);
    // The demo's CRM came in through the deals API: its funnel has won and lost deals.
    // The demo is the file's one workspace: commands need no --workspace.
    const listed = runCli(['workspace', 'list', '--db', join(dir, 'serve.db'), '--json']);
    expect((JSON.parse(listed.stdout) as { name: string }[]).map((w) => w.name)).toEqual(['demo']);
    const funnel = runCli(['funnel', '--db', join(dir, 'serve.db'), '--json']);
    expect(funnel.status, funnel.stderr).toBe(0);
    const { deals } = JSON.parse(funnel.stdout);
    expect(deals.won).toBeGreaterThan(0);
    expect(deals.lost).toBeGreaterThan(0);
    expect(deals.total).toBe(deals.open + deals.won + deals.lost);
  }, 120_000);

  it('refuses a second server on the same file with one line, and frees the file when the first is killed', async () => {
    const db = join(dir, 'one-server.db');
    const serve = () =>
      spawn(process.execPath, [cli, 'serve', '--db', db, '--port', '0', '--host', '127.0.0.1'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const listening = (child: ReturnType<typeof serve>) =>
      new Promise<void>((resolve, reject) => {
        let stdout = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('listening on')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
    const first = serve();
    await listening(first);
    const second = serve();
    let stderr = '';
    second.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    expect(await closed(second)).toBe(2);
    expect(stderr).toBe(
      `closedloop: CL_ERR_STORE: --db: ${db} is used by another closedloop server (one server per file): stop it, or serve another file\n`,
    );
    // However the first ends, the operating system lets go of its claim.
    first.kill('SIGKILL');
    await closed(first);
    const third = serve();
    await listening(third);
    third.kill('SIGTERM');
    expect(await closed(third)).toBe(0);
  }, 60_000);

  it('gives a database with workspaces no default one, and a fresh database its default, printing their write keys', async () => {
    const serveOnce = async (db: string) => {
      const child = spawn(
        process.execPath,
        [cli, 'serve', '--db', db, '--port', '0', '--host', '127.0.0.1'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('listening on')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
      child.kill('SIGTERM');
      expect(await closed(child)).toBe(0);
      return stdout;
    };
    const listed = (db: string) => {
      const result = runCli(['workspace', 'list', '--db', db, '--json']);
      expect(result.status).toBe(0);
      return JSON.parse(result.stdout) as { name: string; writeKey: string }[];
    };
    const withOne = join(dir, 'has-a-workspace.db');
    const created = runCli(['workspace', 'create', '--name', 'acme', '--db', withOne, '--json']);
    expect(created.status).toBe(0);
    const { writeKey } = JSON.parse(created.stdout) as { writeKey: string };
    const acmeOutput = await serveOnce(withOne);
    expect(listed(withOne).map((w) => w.name)).toEqual(['acme']);
    expect(acmeOutput).toContain(`\nworkspace "acme": write key ${writeKey}\n`);
    // The collect bench reads the key of the workspace it made with this pattern.
    expect(/write key (\S+)/.exec(acmeOutput)?.[1]).toBe(writeKey);
    const fresh = join(dir, 'fresh-for-serve.db');
    const freshOutput = await serveOnce(fresh);
    expect(listed(fresh).map((w) => w.name)).toEqual(['default']);
    const [made] = listed(fresh);
    // Its write key, made by the server, is printed at once: the page snippet needs it.
    expect(made?.writeKey).toMatch(/^wk_/);
    expect(freshOutput).toContain(`\nworkspace "default": write key ${made?.writeKey}\n`);
  }, 60_000);

  it('stops on SIGTERM though a client stalls mid-request, committing what it acknowledged', async () => {
    const db = join(dir, 'stalled.db');
    const created = runCli(['workspace', 'create', '--name', 'acme', '--db', db, '--json']);
    const { writeKey } = JSON.parse(created.stdout) as { writeKey: string };
    const child = spawn(
      process.execPath,
      [cli, 'serve', '--db', db, '--port', '0', '--host', '127.0.0.1'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const found = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
        if (found !== undefined) resolve(found);
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });
    const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
    const acknowledged = await fetch(`${url}/v1/track`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ anonymousId: 'a', event: 'kept', messageId: 'before-stop' }),
    });
    expect(acknowledged.status).toBe(200);
    // Headers and part of a body, then nothing more.
    const { port } = new URL(url);
    const stalled = createConnection({ port: Number(port), host: '127.0.0.1' });
    stalled.on('error', () => undefined);
    stalled.write(
      `POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"batch":[`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const signalled = Date.now();
    child.kill('SIGTERM');
    expect(await closed(child)).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(20_000);
    stalled.destroy();
    const stored = new Database(db, { readonly: true });
    expect(
      stored.prepare("SELECT count(*) AS n FROM events WHERE message_id = 'before-stop'").get(),
    ).toEqual({ n: 1 });
    stored.close();
  }, 60_000);

  it('exits 2 at once when it cannot listen, and leaves the file free', async () => {
    const db = join(dir, 'busy-port.db');
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const child = spawn(
      process.execPath,
      [cli, 'serve', '--db', db, '--port', String(port), '--host', '127.0.0.1'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await closed(child);
    taken.close();
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^closedloop: CL_ERR_LISTEN: --host 127\\.0\\.0\\.1, --port ${port}: cannot listen \\(.*EADDRINUSE`,
        ),
      ),
    ]);
    // Nothing of it holds the file: the next start takes it.
    const next = spawn(
      process.execPath,
      [cli, 'serve', '--db', db, '--port', '0', '--host', '127.0.0.1'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      next.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('listening on')) resolve();
      });
      next.once('exit', (exit) => reject(new Error(`serve exited ${exit}`)));
    });
    next.kill('SIGTERM');
    expect(await closed(next)).toBe(0);
  }, 60_000);

  it('finishes a demo fill cut short by a shutdown at the next start', async () => {
    const db = join(dir, 'cut-demo.db');
    const count = (table: string) => {
      const reader = new Database(db, { readonly: true, fileMustExist: true });
      try {
        return (reader.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      } finally {
        reader.close();
      }
    };
    // Stopped while the collector takes the simulated events, before the deals go in: in this
    // process, on the file, as `serve` fills it (its own ingest connection), and cut as a shutdown
    // cuts it, by the fill's signal, here once the collector has answered the first batch.
    const store = await openSqliteStore(db);
    const ingest = await openOwnConnectionIngestor(db, createChannelClassifier());
    const app = await buildApp({ events: store.events, state: store.state, ingest });
    const shutdown = new AbortController();
    let batches = 0;
    app.fastify.addHook('onResponse', async (request) => {
      if (request.url !== '/v1/batch') return;
      batches += 1;
      shutdown.abort();
    });
    await expect(
      ensureDemoWorkspace(app.fastify, store.state, store.events, { signal: shutdown.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(batches).toBe(1);
    // Closing commits every event the collector acknowledged.
    await app.close();
    await store.close();
    expect(count('events')).toBeGreaterThan(0);
    expect(count('deals')).toBe(0);
    const second = spawn(
      process.execPath,
      [cli, 'serve', '--demo', '--db', db, '--port', '0', '--host', '127.0.0.1'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = closed(second);
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      second.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('<script')) resolve();
      });
      void exited.then((exit) => reject(new Error(`serve exited ${exit}`)));
    });
    expect(stdout).toMatch(/Demo workspace filled through the collector: [\d,]+ simulated events/);
    // Its key is printed with its snippet, not twice.
    expect(stdout).not.toContain('workspace "demo"');
    second.kill('SIGTERM');
    expect(await exited).toBe(0);
    const funnel = runCli(['funnel', '--db', db, '--workspace', 'demo', '--json']);
    expect(funnel.status, funnel.stderr).toBe(0);
    expect(JSON.parse(funnel.stdout).deals.won).toBeGreaterThan(0);
  }, 120_000);

  it.each([
    [
      ['--port', 'eighty'],
      /CL_ERR_USAGE: --port: expected a whole number from 0 to 65535, got "eighty"/,
    ],
    [
      ['--batch-queue-limit', '100'],
      /CL_ERR_USAGE: --batch-queue-limit: expected a whole number from 1024 to 17179869184, got "100"/,
    ],
    [['--batch-queue-limit', 'lots'], /CL_ERR_USAGE: --batch-queue-limit: expected .*, got "lots"/],
    [
      ['--report-time-limit', '0'],
      /CL_ERR_USAGE: --report-time-limit: expected a whole number from 1 to 86400, got "0"/,
    ],
    [['--report-time-limit', '2.5'], /CL_ERR_USAGE: --report-time-limit: .*, got "2.5"/],
  ])('exits 1 with one line on a bad flag: %j', (flag, message) => {
    const result = spawn(process.execPath, [cli, 'serve', ...flag, '--db', join(dir, 'x.db')]);
    return new Promise<void>((resolve) => {
      let stderr = '';
      result.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      result.once('close', (code) => {
        expect(code).toBe(1);
        expect(stderr).toMatch(message);
        expect(stderr.trim().split('\n')).toHaveLength(1);
        resolve();
      });
    });
  });
});
