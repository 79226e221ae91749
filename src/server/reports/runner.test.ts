import { describe, expect, it } from 'vitest';
import type { Workspace } from '../../store/ports.js';
import { backtestsApart, type ReportRunner } from './runner.js';

/** A runner that records what it is asked and answers only when told to. */
function heldRunner(name: string) {
  const asked: string[] = [];
  const waiting: (() => void)[] = [];
  let closed = false;
  const runner: ReportRunner = {
    run: (kind) =>
      new Promise((resolve) => {
        asked.push(kind);
        waiting.push(() => resolve(`${name}:${kind}` as never));
      }),
    close: async () => {
      closed = true;
    },
  };
  return {
    runner,
    asked,
    answerAll: () => {
      for (const go of waiting.splice(0)) go();
    },
    closed: () => closed,
  };
}

describe('backtestsApart', () => {
  it('answers a funnel while a backtest still runs, each on its own runner', async () => {
    const others = heldRunner('others');
    const backtests = heldRunner('backtests');
    const reports = backtestsApart(others.runner, backtests.runner);
    const workspace = { id: 'ws_1' } as Workspace;
    const backtest = reports.run('backtest', workspace, { from: '2017-01-01', to: '2017-06-01' });
    const funnel = reports.run('funnel', workspace, {});
    others.answerAll();
    expect(await funnel).toBe('others:funnel');
    expect(backtests.asked).toEqual(['backtest']);
    expect(others.asked).toEqual(['funnel']);
    backtests.answerAll();
    expect(await backtest).toBe('backtests:backtest');
    await reports.close();
    expect([others.closed(), backtests.closed()]).toEqual([true, true]);
  });
});
