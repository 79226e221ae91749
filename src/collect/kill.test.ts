/** An acknowledged event survives the server being killed mid-stream, and retries store it once. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { basicAuth } from '../test-support/collector.js';
import { runCli } from '../test-support/run-cli.js';
import { tempDirectory } from '../test-support/temp-files.js';

const cli = join(import.meta.dirname, '../../dist/cli/main.js');
const db = join(tempDirectory(), 'kill.db');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [cli, 'serve', '--db', db, '--port', '0', '--host', '127.0.0.1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match?.[1] !== undefined) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

describe('a server killed with SIGKILL mid-stream', () => {
  it('keeps every event it acknowledged, and stores each retried event exactly once', async () => {
    const created = runCli(['workspace', 'create', '--name', 'kill', '--db', db, '--json']);
    expect(created.status).toBe(0);
    const { writeKey } = JSON.parse(created.stdout) as { writeKey: string };
    const authorization = basicAuth(writeKey);
    const send = async (url: string, ids: number[]) => {
      const response = await fetch(`${url}/v1/batch`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({
          batch: ids.map((id) => ({
            type: 'track',
            event: 'tick',
            anonymousId: `k-${id % 7}`,
            messageId: `kill-${id}`,
          })),
        }),
      });
      return response.status === 200;
    };

    const first = await startServer();
    const acknowledged = new Set<number>();
    const sent: number[] = [];
    let next = 0;
    // Four clients send batches of 5 continuously, each until a request of theirs fails: the
    // server is killed while they do.
    const client = async () => {
      for (;;) {
        const ids = [next, next + 1, next + 2, next + 3, next + 4];
        next += 5;
        sent.push(...ids);
        if (!(await send(first.url, ids).catch(() => false))) return;
        for (const id of ids) acknowledged.add(id);
      }
    };
    const clients = [client(), client(), client(), client()];
    while (acknowledged.size < 400) await new Promise((resolve) => setTimeout(resolve, 5));
    first.child.kill('SIGKILL');
    await Promise.all(clients);

    // Before any retry: every acknowledged event is in the file the killed server left.
    const stored = () => {
      const reader = new Database(db);
      const rows = reader
        .prepare(
          "SELECT message_id AS id, COUNT(*) AS n FROM events WHERE message_id LIKE 'kill-%' GROUP BY message_id",
        )
        .all() as { id: string; n: number }[];
      reader.close();
      return new Map(rows.map((row) => [row.id, row.n]));
    };
    const afterKill = stored();
    for (const id of acknowledged) expect(afterKill.get(`kill-${id}`), `kill-${id}`).toBe(1);

    // The clients retry everything they sent, acknowledged or not, against the restarted server.
    const second = await startServer();
    for (let i = 0; i < sent.length; i += 50)
      expect(await send(second.url, sent.slice(i, i + 50))).toBe(true);
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));

    const afterRetries = stored();
    expect(afterRetries.size).toBe(new Set(sent).size);
    expect(Math.max(...afterRetries.values())).toBe(1);
  });
});
