import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../store/sqlite/open.js';
import { runCli } from '../../test-support/run-cli.js';
import { tempDirectory } from '../../test-support/temp-files.js';

const dir = tempDirectory();
const db = join(dir, 'keys.db');

describe('closedloop workspace key and integration', () => {
  it('issues secret keys that open the API, and stores webhook secrets per provider', async () => {
    const made = runCli(['workspace', 'list', '--db', db, '--json']);
    expect(made.status).toBe(0);
    const issued = runCli(['workspace', 'key', '--db', db, '--json']);
    expect(issued.status, issued.stderr).toBe(0);
    const { id, secretKey } = JSON.parse(issued.stdout);
    expect(secretKey).toMatch(/^sk_[0-9A-Za-z]{40}$/);

    const set = runCli([
      'workspace',
      'integration',
      'hubspot',
      '--secret',
      'app-secret',
      '--db',
      db,
    ]);
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toContain(`/webhooks/hubspot/${id}`);
    expect(set.stdout).not.toContain('app-secret');

    const store = await openSqliteStore(db);
    expect((await store.state.workspaceBySecretKey(secretKey))?.id).toBe(id);
    expect(await store.state.integrationSecret(id, 'hubspot')).toBe('app-secret');
    await store.close();
  });

  it("stores Pipedrive's stage names from its API's stage list", async () => {
    const stages = join(dir, 'stages.json');
    writeFileSync(
      stages,
      JSON.stringify({
        success: true,
        data: [
          { id: 3, name: 'Qualified', pipeline_id: 1, pipeline_name: 'Sales' },
          { id: 4, name: 'Negotiation', pipeline_id: 1, pipeline_name: 'Sales' },
        ],
      }),
    );
    const set = runCli(['workspace', 'integration', 'pipedrive', '--stages', stages, '--db', db]);
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toContain('names for 2 stages and 1 pipeline');
    const asJson = runCli([
      'workspace',
      'integration',
      'pipedrive',
      '--stages',
      stages,
      '--db',
      db,
      '--json',
    ]);
    expect(JSON.parse(asJson.stdout)).toMatchObject({
      provider: 'pipedrive',
      webhookPath: expect.stringMatching(/^\/webhooks\/pipedrive\/ws_/),
      stages: 2,
      pipelines: 1,
    });
    const store = await openSqliteStore(db);
    const [workspace] = await store.state.listWorkspaces();
    expect(await store.state.integrationNames(workspace?.id ?? '', 'pipedrive')).toEqual({
      pipelines: { '1': 'Sales' },
      stages: { '3': 'Qualified', '4': 'Negotiation' },
    });
    await store.close();
  });

  it('refuses an unknown provider, an empty secret or a bad stage list with one line', () => {
    const notJson = join(dir, 'not-json.json');
    writeFileSync(notJson, '{"data": [');
    const noId = join(dir, 'no-id.json');
    writeFileSync(noId, JSON.stringify({ data: [{ name: 'Qualified' }] }));
    for (const [args, pattern] of [
      [['salesforce', '--secret', 'x'], /CL_ERR_USAGE: provider: expected hubspot or pipedrive/],
      [['pipedrive', '--secret', '  '], /CL_ERR_CONFIG: pipedrive secret: expected a value/],
      [['pipedrive'], /CL_ERR_USAGE: .*--secret/],
      [['hubspot', '--stages', noId], /CL_ERR_USAGE: --stages: only pipedrive/],
      [
        ['pipedrive', '--stages', notJson],
        /CL_ERR_USAGE: --stages: .*not-json\.json: expected the JSON/,
      ],
      [
        ['pipedrive', '--stages', noId],
        /CL_ERR_USAGE: --stages: .*no-id\.json: data\.0\.id: expected a positive whole number, got nothing/,
      ],
      [
        ['pipedrive', '--stages', join(dir, 'missing.json')],
        /CL_ERR_USAGE: --stages: .*missing\.json/,
      ],
    ] as const) {
      const result = runCli(['workspace', 'integration', ...args, '--db', db]);
      expect(result.status, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('closedloop workspace list', () => {
  it("lists each workspace's write key, the default one's too, and never a secret key", async () => {
    const listedDb = join(dir, 'listed.db');
    // A command on a fresh database makes its default workspace.
    const made = runCli(['workspace', 'settings', '--db', listedDb]);
    expect(made.status, made.stderr).toBe(0);
    const created = runCli(['workspace', 'create', '--name', 'acme', '--db', listedDb, '--json']);
    const { writeKey, secretKey } = JSON.parse(created.stdout);
    const asJson = runCli(['workspace', 'list', '--db', listedDb, '--json']);
    const listed = JSON.parse(asJson.stdout) as { id: string; name: string; writeKey: string }[];
    expect(listed.map((w) => w.name)).toEqual(['default', 'acme']);
    expect(listed[1]?.writeKey).toBe(writeKey);
    // The default workspace's key is the one the collector takes for it.
    const store = await openSqliteStore(listedDb);
    expect((await store.state.workspaceByWriteKey(listed[0]?.writeKey ?? ''))?.id).toBe(
      listed[0]?.id,
    );
    await store.close();
    const table = runCli(['workspace', 'list', '--db', listedDb]);
    expect(table.stdout.trim().split('\n')).toEqual(
      listed.map((w) => `${w.id}  ${w.name}  UTC  USD  ${w.writeKey}`),
    );
    expect(asJson.stdout + table.stdout).not.toContain(secretKey);
  });
});

describe('closedloop --workspace default', () => {
  it('makes the default workspace on a fresh database only, not beside others', () => {
    const fresh = join(dir, 'fresh-default.db');
    expect(runCli(['target', 'list', '--db', fresh, '--workspace', 'default']).status).toBe(0);
    const named = join(dir, 'named-only.db');
    expect(runCli(['workspace', 'create', '--name', 'acme', '--db', named]).status).toBe(0);
    const asked = runCli(['target', 'list', '--db', named, '--workspace', 'default']);
    expect(asked.status).toBe(1);
    expect(asked.stderr).toBe(
      'closedloop: CL_ERR_UNKNOWN_WORKSPACE: --workspace: no workspace has the id or name "default"\n',
    );
    // Still one workspace: commands without --workspace keep working.
    const listed = runCli(['workspace', 'list', '--db', named, '--json']);
    expect(JSON.parse(listed.stdout).map((w: { name: string }) => w.name)).toEqual(['acme']);
    expect(runCli(['target', 'list', '--db', named]).status).toBe(0);
  });
});
