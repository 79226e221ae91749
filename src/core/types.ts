/** The domain's plain shapes. Columnar forms of the same data live in journey-batch.ts. */

/** A step of a journey: a web session or an offline touch (call, event, email click). */
export interface Touchpoint {
  /** UTC instant, milliseconds since the epoch; NaN when the source did not say. */
  readonly at: number;
  readonly channel: string;
  readonly source?: string;
  readonly medium?: string;
  readonly campaign?: string;
}

/** The moments a journey's touches can mark, used by W-shaped and full-path models. */
export type Milestone = 'lead' | 'deal' | 'won';

/** A journey as one object: convenient for tests and small inputs, never for millions. */
export interface Journey {
  readonly touches: readonly Touchpoint[];
  /** Conversions this path ended in (a path-level input may carry several). */
  readonly conversions: number;
  /** Value of those conversions, in major units (fractional credits are floats). */
  readonly value: number;
  /** Times this path was seen without converting. */
  readonly nulls: number;
  readonly conversionAt?: number;
  /** Touch positions (0-based) of milestones; absent when the journey never reached them. */
  readonly milestones?: Partial<Record<Milestone, number>>;
}

/** What became of a journey: a lead, a deal, a won deal... */
export interface Conversion {
  readonly type: string;
  readonly at: number;
}

/** Credit one model gives one channel. */
export interface ChannelCredit {
  readonly channel: string;
  readonly conversions: number;
  readonly value: number;
}
