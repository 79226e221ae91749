import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAttribute } from '../../cli/commands/attribute.js';
import { parseAttributeConfig } from '../../config.js';
import { session, write } from '../../store/conformance/records.js';
import { openSqliteStore } from '../../store/sqlite/open.js';
import { blankDraft, moment, salesPipeline } from '../../test-support/deals.js';
import { tempDirectory } from '../../test-support/temp-files.js';
import { forecastReport } from './forecast.js';
import { funnelReport } from './funnel.js';

const dir = tempDirectory();

/**
 * Person x's only visit is Paid Search on 2026-01-01; their deals are created on 2026-08-01, far
 * outside the workspace's 90-day lookback window. `attribute --milestone` gives such a deal to
 * Direct: the funnel's touch splits and the forecast's channels must say the same.
 */
async function outsideTheWindow(dbPath: string) {
  const store = await openSqliteStore(dbPath);
  const { workspace } = await store.state.createWorkspace('lookback');
  expect(workspace.lookbackDays).toBe(90);
  const ws = workspace.id;
  const visitAt = Date.parse('2026-01-01T10:00:00Z');
  await store.state.identify(ws, { visitorId: 'x-laptop', email: 'x@example.com' }, visitAt);
  await store.events.append(
    write({
      sessions: [
        session(ws, 's-x', { visitorId: 'x-laptop', startedAt: visitAt, channel: 'Paid Search' }),
      ],
    }),
  );
  await store.state.savePipeline(ws, salesPipeline);
  const draft = (id: string, stages: [string, string][], status: 'won' | 'open') =>
    blankDraft(id, {
      amountMinor: 100_000,
      currency: 'USD',
      pipeline: salesPipeline.name,
      stage: (stages.at(-1) as [string, string])[0],
      status,
      emails: ['x@example.com'],
      createdAt: moment(stages[0]?.[1] as string),
      closedAt: status === 'won' ? moment((stages.at(-1) as [string, string])[1]) : null,
      history: stages.map(([stage, at]) => ({ stage, enteredAt: moment(at) })),
    });
  await store.state.mergeDeals(ws, 'test', ['D-1', 'D-2'], () => [
    draft(
      'D-1',
      [
        ['Lead', '2026-08-01'],
        ['Won', '2026-08-05'],
      ],
      'won',
    ),
    draft('D-2', [['Proposal', '2026-08-01']], 'open'),
  ]);
  return { store, workspace };
}

describe('the lookback window, the same in attribute, the funnel and the forecast', () => {
  it('credits a deal whose only touch lies outside the window to the same channel in each', async () => {
    const dbPath = join(dir, 'lookback.db');
    const { store, workspace } = await outsideTheWindow(dbPath);
    try {
      const attributed = await runAttribute(
        parseAttributeConfig({
          db: dbPath,
          workspace: 'lookback',
          milestone: 'won',
          models: 'first',
          json: true,
        }),
      );
      const credited = (attributed.models.first ?? [])
        .filter((credit) => credit.value > 0)
        .map((credit) => [credit.channel, credit.value]);
      expect(credited).toEqual([['Direct', 1000]]);

      const asOf = Date.parse('2026-08-10T00:00:00Z');
      const funnel = await funnelReport(store.events, store.state, workspace, { asOf, now: asOf });
      for (const split of [funnel.dealSizeBy.firstTouch, funnel.dealSizeBy.lastTouch]) {
        expect(split?.map((group) => [group.key, group.average.amount])).toEqual([
          ['Direct', 1000],
        ]);
      }

      const forecast = await forecastReport(store.events, store.state, workspace, {
        asOf,
        now: asOf,
        model: 'first',
        draws: 100,
        seed: 1,
      });
      const channels = new Set(
        forecast.periods.flatMap((period) => period.byChannel.map((entry) => entry.channel)),
      );
      expect([...channels]).toEqual(['Direct', null]);
      const direct = forecast.periods.map(
        (period) => period.byChannel.find((entry) => entry.channel === 'Direct')?.revenue.mean,
      );
      expect(direct.some((mean) => mean !== undefined && mean > 0)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
