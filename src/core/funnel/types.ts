/** What `funnelStatistics` takes and gives. Amounts are integer minor units of `currency`. */
import type { Deal, Moment, Pipeline } from '../deals.js';
import type { Spread } from './spread.js';

export interface PeriodFilter {
  /** Which date of a deal must fall in the period. */
  readonly by: 'created' | 'closed';
  /** First and last day, inclusive, as YYYY-MM-DD in the workspace's zone. */
  readonly from: string;
  readonly to: string;
}

/** A lead (a person's first conversion) and the deals linked to that person. */
export interface Lead {
  readonly at: Moment | number;
  readonly dealIds: readonly string[];
}

export interface FunnelInput {
  /** Every deal as known now; `funnelStatistics` rewinds them to `asOf` itself. */
  readonly deals: readonly Deal[];
  readonly pipeline: Pipeline;
  /** IANA zone of the workspace: periods, cohorts and calendar days are read there. */
  readonly timeZone: string;
  /** The workspace currency (ISO 4217). */
  readonly currency: string;
  /**
   * A deal's amount in minor units of `currency`; null when unknown or without an exchange rate
   * (the deal then stays out of money statistics only). Not named valueOf: that would shadow
   * Object.prototype.valueOf, which every object literal has.
   */
  readonly amountOf: (deal: Deal) => number | null;
  /** The instant to compute at; default: just after the latest date in the deals, at most now. */
  readonly asOf?: number;
  /** The as-of date's name where the caller took it, for errors (default `asOf`; the CLI's `--as-of`). */
  readonly asOfName?: string;
  /** The present (default: the clock): the default as-of date is never after it. */
  readonly now?: number;
  readonly period?: PeriodFilter;
  /** Only deals of this segment. */
  readonly segment?: string;
  /** Deal id → channel of the first and of the last touch before the deal. */
  readonly firstTouch?: ReadonlyMap<string, string>;
  readonly lastTouch?: ReadonlyMap<string, string>;
  /** Leads, for cohorts by lead month. */
  readonly leads?: readonly Lead[];
}

/** An amount with the number of deals it came from. */
export interface Amount {
  readonly amount: number | null;
  readonly currency: string;
  readonly n: number;
}

export interface DealCounts {
  readonly total: number;
  readonly open: number;
  readonly won: number;
  readonly lost: number;
}

export interface StageStatistics {
  readonly stage: string;
  /** Deals that reached this stage or a later one. */
  readonly entered: number;
  /** Of those, deals that went on to a later open stage or were won. */
  readonly advanced: number;
  /** Days spent in the stage by deals that have left it. */
  readonly daysInStage: Spread;
}

export interface DealSizeGroup {
  /** The channel or segment; null when unknown (an unattributed deal, a deal with no segment). */
  readonly key: string | null;
  readonly average: Amount;
  readonly median: Amount;
}

export interface Cohort {
  /** The leads' month in the workspace's zone, YYYY-MM. */
  readonly month: string;
  readonly leads: number;
  readonly leadsWithDeal: number;
  /** Deals whose earliest lead is in this month. */
  readonly deals: number;
  readonly won: number;
  readonly wonRevenue: Amount;
}

export interface FunnelStatistics {
  /** The instant the statistics are as of; null when the deals hold no date at all. */
  readonly asOf: number | null;
  readonly pipeline: string;
  readonly currency: string;
  /** Statuses as of `asOf`. */
  readonly deals: DealCounts;
  readonly wonRevenue: Amount;
  /** deals.won ÷ (deals.won + deals.lost); null when none closed. */
  readonly winRate: number | null;
  /** The open stages, in pipeline order. */
  readonly stages: readonly StageStatistics[];
  /** Days from creation to close of won deals. */
  readonly timeToClose: Spread;
  readonly timeToWinKM: {
    readonly median: number | null;
    readonly n: number;
    readonly won: number;
  };
  readonly averageDealSize: Amount;
  readonly medianDealSize: Amount;
  /** Won deal sizes by group; a breakdown is null when its map was not given. */
  readonly dealSizeBy: {
    readonly firstTouch: readonly DealSizeGroup[] | null;
    readonly lastTouch: readonly DealSizeGroup[] | null;
    readonly segment: readonly DealSizeGroup[];
  };
  /** Expected won revenue per day: open × win rate × average deal size ÷ median time to close. */
  readonly salesVelocity: Amount;
  /** By lead month, ascending; null when no leads were given. */
  readonly cohorts: readonly Cohort[] | null;
  /** What was left out of which statistic, and why. */
  readonly notes: readonly string[];
}
