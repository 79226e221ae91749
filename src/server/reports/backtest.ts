import { type BacktestReport, backtestForecast } from '../../core/backtest/backtest.js';
import type { Deal } from '../../core/deals.js';
import { amountInCurrency } from '../../core/exchange.js';
import { minorToMajor } from '../../core/money.js';
import type { StateStore, Workspace } from '../../store/ports.js';

export interface BacktestRequest {
  readonly from: string;
  readonly to: string;
  readonly every?: number;
  readonly horizon?: number;
  readonly seed?: number;
  readonly draws?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The backtest of a workspace's deals, revenue in major units of its currency. */
export async function backtestReport(
  state: StateStore,
  workspace: Workspace,
  request: BacktestRequest,
): Promise<BacktestReport> {
  const rates = await state.rates(workspace.id);
  const report = backtestForecast({
    deals: await state.deals(workspace.id),
    pipelines: await state.pipelines(workspace.id),
    timeZone: workspace.timeZone,
    currency: workspace.currency,
    amountOf: (deal: Deal) => amountInCurrency(deal, rates, workspace.currency),
    from: request.from,
    to: request.to,
    every: request.every,
    horizon: request.horizon,
    seed: request.seed,
    draws: request.draws,
    onProgress: request.onProgress,
  });
  const major = (minor: number | null) =>
    minor === null ? null : minorToMajor(minor, report.currency);
  return {
    ...report,
    rows: report.rows.map((row) =>
      row.metric === 'count'
        ? row
        : {
            ...row,
            actual: major(row.actual),
            p10: major(row.p10),
            p50: major(row.p50),
            p90: major(row.p90),
            mean: major(row.mean),
            weighted_pipeline: major(row.weighted_pipeline),
            trailing_average: major(row.trailing_average),
            last_month: major(row.last_month),
          },
    ),
  };
}
