/**
 * Deals (opportunities) as they come back from the CRM, and the pipelines their stages belong to.
 * Plain shapes shared by the importers, the store, the funnel statistics and the forecast.
 */

/**
 * A point in time as the CRM said it. A date without a time is a calendar date: `at` is its
 * midnight UTC and `dateOnly` keeps it in its own day and month in every time zone.
 */
export interface Moment {
  readonly at: number;
  readonly dateOnly: boolean;
}

export type DealStatus = 'open' | 'won' | 'lost';

export interface StageChange {
  readonly stage: string;
  readonly enteredAt: Moment;
}

/** An amount as the CRM gave it, at a time (amount changes are kept). */
export interface AmountChange {
  readonly at: Moment;
  /** Integer minor units of `currency`. */
  readonly minor: number;
  readonly currency: string;
}

export type RecurringInterval = 'month' | 'year';

export interface Deal {
  /** Closedloop's own id. */
  readonly id: string;
  readonly workspaceId: string;
  /** The id in the system it came from; unique per (workspace, source). */
  readonly externalId: string;
  /** Where it came from: closedloop, salesforce, hubspot, pipedrive, maven, map, api. */
  readonly source: string;
  readonly name: string | null;
  /** Integer minor units of `currency`; null when the CRM gave no amount. */
  readonly amountMinor: number | null;
  readonly currency: string | null;
  readonly pipeline: string;
  /** Current stage; null when the CRM gave none. */
  readonly stage: string | null;
  readonly status: DealStatus;
  readonly createdAt: Moment | null;
  readonly closedAt: Moment | null;
  /** When an open deal is expected to close (Salesforce `CloseDate` of an open opportunity). */
  readonly expectedCloseAt: Moment | null;
  readonly owner: string | null;
  readonly segment: string | null;
  /** The channel the CRM recorded (lead source), when it did. */
  readonly channel: string | null;
  readonly account: string | null;
  readonly accountDomain: string | null;
  /** Normalised (trimmed, lower case). */
  readonly emails: readonly string[];
  /** The CRM's contact ids (HubSpot associated contacts, Salesforce contact roles). */
  readonly contactIds: readonly string[];
  readonly recurringInterval: RecurringInterval | null;
  readonly termMonths: number | null;
  /** In time order; a stage entered twice (a re-opened deal) appears twice. */
  readonly history: readonly StageChange[];
  /** In time order; the first entry is the first amount known. */
  readonly amountHistory: readonly AmountChange[];
  /**
   * When the source said each field's value (epoch ms, by `DealRow` field), for sources that say
   * (webhooks): a delivery that arrives later but says something older leaves those fields alone.
   */
  readonly fieldTimes?: Readonly<Record<string, number>>;
  readonly updatedAt: number;
}

/** A deal with nothing known but its id: builders (the simulator's deals, tests) set the rest. */
export function blankDeal(id: string, fields: Partial<Deal> = {}): Deal {
  return {
    id,
    workspaceId: '',
    externalId: id,
    source: '',
    name: null,
    amountMinor: null,
    currency: null,
    pipeline: 'default',
    stage: null,
    status: 'open',
    createdAt: null,
    closedAt: null,
    expectedCloseAt: null,
    owner: null,
    segment: null,
    channel: null,
    account: null,
    accountDomain: null,
    emails: [],
    contactIds: [],
    recurringInterval: null,
    termMonths: null,
    history: [],
    amountHistory: [],
    updatedAt: 0,
    ...fields,
  };
}

export type FunnelPhase = 'awareness' | 'consideration' | 'decision';

export interface PipelineStage {
  readonly name: string;
  readonly phase: FunnelPhase;
  /** Closed-won or closed-lost stages end a deal; open stages are null. */
  readonly outcome: 'won' | 'lost' | null;
  /** 0..1: the CRM's or a sensible default; used only by the naive weighted-pipeline baseline. */
  readonly probability: number;
}

/** A workspace's pipeline: open stages in funnel order, then the closing stages. */
export interface Pipeline {
  readonly name: string;
  readonly stages: readonly PipelineStage[];
}

/** Units of the workspace currency per one unit of `currency`, from `date` on. */
export interface ExchangeRate {
  readonly date: Moment;
  readonly currency: string;
  readonly rate: number;
}
