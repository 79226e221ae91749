import { type BacktestReport, backtestForecast } from '../../core/backtest/backtest.js';
import type { Deal } from '../../core/deals.js';
import { ClosedloopError } from '../../core/errors.js';
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

/** The backtest of a workspace's deals, revenue in whole minor units shown as major units. */
export async function backtestReport(
  state: StateStore,
  workspace: Workspace,
  request: BacktestRequest,
): Promise<BacktestReport> {
  const deals = await state.deals(workspace.id);
  // As the forecast and the funnel answer it: without deals every metric would be null.
  if (deals.length === 0) {
    throw new ClosedloopError(
      'CL_ERR_MODEL_INPUT',
      'backtest: the workspace has no deals yet; import some with `closedloop import deals`',
    );
  }
  const rates = await state.rates(workspace.id);
  const report = backtestForecast({
    deals,
    pipelines: await state.pipelines(workspace.id),
    timeZone: workspace.timeZone,
    currency: workspace.currency,
    amountOf: (deal: Deal) => amountInCurrency(deal, rates, workspace.currency, workspace.timeZone),
    from: request.from,
    to: request.to,
    every: request.every,
    horizon: request.horizon,
    seed: request.seed,
    draws: request.draws,
    onProgress: request.onProgress,
  });
  // Baselines are means (a trailing average, amounts × win rates): whole minor units, as money is.
  const major = (minor: number | null) =>
    minor === null ? null : minorToMajor(Math.round(minor), report.currency);
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
