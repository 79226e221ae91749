import type { AttributionReport } from '../core/attribution/report.js';
import type { ChannelTruth } from './truth.js';

export interface ModelAgainstTruth {
  readonly model: string;
  /** Channel → the model's share of the conversions (or value). */
  readonly shares: Readonly<Record<string, number>>;
  /** Σ |model share − true share| over channels: 0 is perfect, 2 is as wrong as can be. */
  readonly l1: number;
}

/** Each model's shares beside the true shares, and how far apart they are. */
export function compareWithTruth(
  report: AttributionReport,
  truth: readonly ChannelTruth[],
  measure: 'leads' | 'revenue',
): ModelAgainstTruth[] {
  const trueShare = new Map(
    truth.map((row) => [row.channel, measure === 'leads' ? row.leadShare : row.revenueShare]),
  );
  const total = measure === 'leads' ? report.totals.conversions : report.totals.value;
  return Object.entries(report.models).map(([model, credits]) => {
    const shares: Record<string, number> = {};
    for (const credit of credits) {
      shares[credit.channel] =
        total > 0 ? (measure === 'leads' ? credit.conversions : credit.value) / total : 0;
    }
    const channels = new Set([...trueShare.keys(), ...Object.keys(shares)]);
    let l1 = 0;
    for (const channel of channels)
      l1 += Math.abs((shares[channel] ?? 0) - (trueShare.get(channel) ?? 0));
    return { model, shares, l1 };
  });
}
