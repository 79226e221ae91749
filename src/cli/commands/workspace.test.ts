import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../store/sqlite/open.js';
import { runCli } from '../../test-support/run-cli.js';
import { tempDirectory } from '../../test-support/temp-files.js';

const db = join(tempDirectory(), 'keys.db');

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

  it('refuses an unknown provider or an empty secret with one line', () => {
    for (const [args, pattern] of [
      [['salesforce', '--secret', 'x'], /CL_ERR_USAGE: provider: expected hubspot or pipedrive/],
      [['pipedrive', '--secret', '  '], /CL_ERR_CONFIG: pipedrive secret: expected a value/],
      [['pipedrive'], /CL_ERR_USAGE: .*--secret/],
    ] as const) {
      const result = runCli(['workspace', 'integration', ...args, '--db', db]);
      expect(result.status, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
