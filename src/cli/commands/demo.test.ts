import { describe, expect, it } from 'vitest';
import { runCli } from '../../test-support/run-cli.js';

describe('closedloop demo', () => {
  it('prints the simulated world, the truth and every model against it as JSON', () => {
    const result = runCli(['demo', '--seed', '4', '--visitors', '3000', '--months', '6', '--json']);
    expect(result.status).toBe(0);
    const demo = JSON.parse(result.stdout);
    expect(demo.world).toEqual({
      seed: 4,
      months: 6,
      visitors: 3000,
      from: '2026-01-01',
      to: '2026-06-30',
    });
    expect(demo.totals.leads).toBeGreaterThan(0);
    expect(demo.truth.map((row: { channel: string }) => row.channel)).toContain('Paid Search');
    const shareSum = demo.truth.reduce(
      (sum: number, row: { leadShare: number }) => sum + row.leadShare,
      0,
    );
    expect(shareSum).toBeCloseTo(1, 9);
    const models = demo.leads.map((row: { model: string }) => row.model);
    expect(models).toEqual(
      expect.arrayContaining(['first', 'last', 'markov', 'shapley', 'w_shaped', 'time_decay']),
    );
    for (const row of demo.leads) expect(row.l1).toBeGreaterThanOrEqual(0);
  });

  it('is the same for the same seed and prints a readable table without --json', () => {
    const args = ['demo', '--seed', '9', '--visitors', '2000'];
    const first = runCli(args);
    expect(first.status).toBe(0);
    expect(first.stdout).toBe(runCli(args).stdout);
    expect(first.stdout).toMatch(/L1 to truth/);
    expect(first.stdout).toMatch(/closest first/);
  });

  for (const [flag, value, message] of [
    ['--seed', '-1', /--seed: expected a whole number from 0 to 4294967295, got "-1"/],
    ['--months', '0', /--months: expected a whole number from 1 to 60, got "0"/],
    ['--visitors', 'many', /--visitors: expected a whole number from 1 to 2000000, got "many"/],
  ] as const) {
    it(`exits 1 on ${flag} ${value}`, () => {
      const result = runCli(['demo', flag, value]);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(message);
    });
  }
});
