import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectIntoFile } from '../../test-support/collector.js';
import { runCli } from '../../test-support/run-cli.js';
import { tempDirectory } from '../../test-support/temp-files.js';

const db = join(tempDirectory(), 'journey.db');

describe('closedloop workspace and journey', () => {
  it('creates a workspace and prints its keys once, secret included', () => {
    const result = runCli(['workspace', 'create', '--name', 'acme', '--db', db, '--json']);
    expect(result.status).toBe(0);
    const keys = JSON.parse(result.stdout);
    expect(Object.keys(keys)).toEqual(['id', 'writeKey', 'secretKey']);
    expect(keys.writeKey).toMatch(/^wk_/);
    expect(keys.secretKey).toMatch(/^sk_/);
    const again = runCli(['workspace', 'create', '--name', 'acme', '--db', db]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/CL_ERR_CONFIG: --name: a workspace named "acme" exists already/);
    const badZone = runCli([
      'workspace',
      'create',
      '--name',
      'x',
      '--time-zone',
      'Mars/Olympus',
      '--db',
      db,
    ]);
    expect(badZone.status).toBe(1);
    expect(badZone.stderr.trim().split('\n')).toHaveLength(1);
    expect(badZone.stderr).toBe(
      'closedloop: CL_ERR_CONFIG: --time-zone: "Mars/Olympus" is not an IANA time zone (e.g. Europe/Paris)\n',
    );
    const badCurrency = runCli([
      'workspace',
      'create',
      '--name',
      'y',
      '--currency',
      'USS',
      '--db',
      db,
    ]);
    expect(badCurrency.status).toBe(1);
    expect(badCurrency.stderr).toMatch(
      /^closedloop: CL_ERR_CONFIG: --currency: "USS" is not an ISO 4217 code in use/,
    );
  });

  it('shows and changes workspace settings, refusing bad values with one line', () => {
    const changed = runCli([
      'workspace',
      'settings',
      '--workspace',
      'acme',
      '--time-zone',
      'Europe/Paris',
      '--session-timeout',
      '45',
      '--db',
      db,
      '--json',
    ]);
    expect(changed.status).toBe(0);
    expect(JSON.parse(changed.stdout)).toMatchObject({
      name: 'acme',
      timeZone: 'Europe/Paris',
      sessionTimeoutMinutes: 45,
      currency: 'USD',
    });
    const shown = runCli(['workspace', 'settings', '--workspace', 'acme', '--db', db, '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      timeZone: 'Europe/Paris',
      sessionTimeoutMinutes: 45,
    });
    const bad = runCli([
      'workspace',
      'settings',
      '--workspace',
      'acme',
      '--session-timeout',
      '0',
      '--db',
      db,
    ]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(
      'closedloop: CL_ERR_USAGE: --session-timeout: expected a whole number from 1 to 1,440, got "0"\n',
    );
    const badCurrency = runCli([
      'workspace',
      'settings',
      '--workspace',
      'acme',
      '--currency',
      'euro',
      '--db',
      db,
    ]);
    expect(badCurrency.status).toBe(1);
    expect(badCurrency.stderr).toMatch(/^closedloop: CL_ERR_CONFIG: --currency: .*"euro"/);
    const badZone = runCli([
      'workspace',
      'settings',
      '--time-zone',
      'Nowhere',
      '--db',
      db,
      '--workspace',
      'acme',
    ]);
    expect(badZone.stderr).toMatch(/^closedloop: CL_ERR_CONFIG: --time-zone: .*Nowhere/);
    const reset = runCli([
      'workspace',
      'settings',
      '--workspace',
      'acme',
      '--session-timeout',
      '30',
      '--time-zone',
      'UTC',
      '--db',
      db,
    ]);
    expect(reset.status).toBe(0);
  });

  it("prints a person's journey over two devices, sessions in time order, bots marked", async () => {
    const at = (hours: number) => new Date(Date.UTC(2026, 5, 1) + hours * 3_600_000).toISOString();
    await collectIntoFile(db, 'acme', [
      {
        type: 'page',
        anonymousId: 'phone',
        messageId: 'j1',
        timestamp: at(0),
        context: { page: { url: 'https://acme.com/', referrer: 'https://www.bing.com/' } },
      },
      {
        type: 'page',
        anonymousId: 'laptop',
        messageId: 'j2',
        timestamp: at(5),
        context: {
          page: { url: 'https://acme.com/?utm_source=google&utm_medium=cpc&utm_campaign=x' },
        },
      },
      {
        type: 'page',
        anonymousId: 'laptop',
        messageId: 'j3',
        timestamp: at(9),
        context: { userAgent: 'HeadlessChrome/120', page: { url: 'https://acme.com/a' } },
      },
      {
        type: 'track',
        anonymousId: 'laptop',
        messageId: 'j4',
        event: 'form_submit',
        timestamp: at(9.1),
        properties: { email: 'ola@acme.example' },
      },
      {
        type: 'identify',
        anonymousId: 'phone',
        messageId: 'j5',
        timestamp: at(20),
        traits: { email: 'OLA@acme.example' },
      },
    ]);

    const result = runCli([
      'journey',
      '--email',
      'ola@acme.example',
      '--db',
      db,
      '--workspace',
      'acme',
      '--json',
    ]);
    expect(result.status).toBe(0);
    const journey = JSON.parse(result.stdout);
    expect(journey.person.emails).toEqual(['ola@acme.example']);
    expect([...journey.visitors].sort()).toEqual(['laptop', 'phone']);
    expect(
      journey.sessions.map((s: { channel: string; bot: boolean }) => [s.channel, s.bot]),
    ).toEqual([
      ['Organic Search', false],
      ['Paid Search', false],
      ['Direct', true],
    ]);
    expect(Object.keys(journey.sessions[0])).toEqual([
      'id',
      'visitorId',
      'startedAt',
      'channel',
      'source',
      'medium',
      'campaign',
      'landingPage',
      'referrer',
      'bot',
    ]);
    // The form submit came in the headless browser's session: a bot's, so no lead; the person
    // converts with the phone's identify, which no live session holds.
    expect(journey.conversions).toEqual([{ type: 'identify', at: at(20), sessionId: null }]);
  });

  it('prints the text journey as one timeline, a conversion among the visits around it', async () => {
    const at = (hours: number) => new Date(Date.UTC(2026, 6, 1) + hours * 3_600_000).toISOString();
    const page = (id: string, hours: number) => ({
      type: 'page',
      anonymousId: 'kai-laptop',
      messageId: id,
      timestamp: at(hours),
      context: { page: { url: 'https://acme.com/' } },
    });
    await collectIntoFile(db, 'acme', [
      page('k1', 0),
      {
        type: 'track',
        event: 'form_submit',
        anonymousId: 'kai-laptop',
        messageId: 'k2',
        timestamp: at(1),
        properties: { email: 'kai@acme.example' },
      },
      page('k3', 5),
    ]);
    const text = runCli([
      'journey',
      '--email',
      'kai@acme.example',
      '--db',
      db,
      '--workspace',
      'acme',
    ]);
    expect(text.status, text.stderr).toBe(0);
    const entries = text.stdout
      .split('\n')
      .slice(1)
      .filter((line) => line !== '')
      .map((line) => line.trim().split(/\s+/).slice(0, 2).join(' '));
    expect(entries).toEqual([`${at(0)} Direct`, `${at(1)} converted:`, `${at(5)} Direct`]);
  });

  it('exits 1 with one clear line for an unknown person or workspace', () => {
    const nobody = runCli([
      'journey',
      '--email',
      'nobody@acme.example',
      '--db',
      db,
      '--workspace',
      'acme',
      '--json',
    ]);
    expect(nobody.status).toBe(1);
    expect(nobody.stdout).toBe('');
    expect(nobody.stderr).toBe(
      'closedloop: CL_ERR_NOT_FOUND: --email: no person with the email "nobody@acme.example" in this workspace\n',
    );
    const noWorkspace = runCli(['journey', '--email', 'x@y.z', '--db', db, '--workspace', 'nope']);
    expect(noWorkspace.status).toBe(1);
    expect(noWorkspace.stderr).toMatch(
      /CL_ERR_UNKNOWN_WORKSPACE: --workspace: no workspace has the id or name "nope"/,
    );
  });
});
