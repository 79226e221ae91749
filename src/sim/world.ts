/**
 * The synthetic company: which channels bring visitors, how much each truly moves a visitor to
 * convert, what its sessions look like on the wire, what it costs, and how deals move. Every
 * figure is a default a test or the demo may override.
 */

/** How a session of a channel arrives: UTM tags, a referrer, a click id (any may be absent). */
export interface ArrivalStyle {
  readonly utm?: {
    readonly source: string;
    readonly medium: string;
    readonly campaigns: readonly string[];
  };
  readonly referrers?: readonly string[];
  /** Click id parameter added to the landing URL, with the share of sessions that carry it. */
  readonly clickId?: { readonly param: string; readonly share: number };
}

export interface SimChannel {
  /** The default channel group the sessions classify to. */
  readonly name: string;
  /** Chance that one touch of this channel, on its own, turns the visitor into a lead. */
  readonly effect: number;
  /**
   * Weight among first visits, visits in between, and last visits (the visit a lead converts on,
   * or a non-lead's last). Position and effect differ on purpose: awareness channels open
   * journeys, Direct closes them, and neither is what persuades.
   */
  readonly firstWeight: number;
  readonly laterWeight: number;
  readonly lastWeight: number;
  /** Cost of one session in minor units (0 for unpaid channels). */
  readonly costPerSession: number;
  readonly arrival: ArrivalStyle;
}

export interface Segment {
  readonly name: string;
  readonly share: number;
  /** Median deal amount in minor units, and its log-scale spread. */
  readonly medianAmount: number;
  readonly amountSpread: number;
  readonly winRate: number;
  /** Median days from deal creation to close, and its log-scale spread. */
  readonly medianCycleDays: number;
  readonly cycleSpread: number;
}

export interface World {
  readonly seed: number;
  /** First day simulated (UTC midnight, ms) and the number of whole months. */
  readonly start: number;
  readonly months: number;
  readonly visitors: number;
  readonly channels: readonly SimChannel[];
  /** Visits per visitor before converting or giving up: 1 + geometric with this mean extra. */
  readonly meanExtraVisits: number;
  readonly meanDaysBetweenVisits: number;
  /** Share of people who use a second device. */
  readonly secondDeviceShare: number;
  /** Visits a lead makes after converting, at most, before the deal is created. */
  readonly maxVisitsAfterLead: number;
  readonly dealRate: number;
  readonly segments: readonly Segment[];
  /** Open stages in order, then the won and lost stages. */
  readonly stages: readonly string[];
  readonly wonStage: string;
  readonly lostStage: string;
  /** Chance a close moves to the last day of its month; higher in a quarter's last month. */
  readonly monthEndPull: number;
  readonly quarterEndPull: number;
  /**
   * Share of closes due in a quarter's first month that the sales team brings forward into the
   * month before, to make the quarter (each to the same point of that month). 0: none.
   */
  readonly quarterPush: number;
  readonly site: string;
  readonly currency: string;
}

export const defaultChannels: readonly SimChannel[] = [
  {
    name: 'Paid Search',
    effect: 0.05,
    firstWeight: 6,
    laterWeight: 20,
    lastWeight: 6,
    costPerSession: 450,
    arrival: {
      utm: { source: 'google', medium: 'cpc', campaigns: ['brand', 'generic-crm', 'competitor'] },
      clickId: { param: 'gclid', share: 0.9 },
    },
  },
  {
    name: 'Organic Search',
    effect: 0.03,
    firstWeight: 8,
    laterWeight: 12,
    lastWeight: 10,
    costPerSession: 0,
    arrival: {
      referrers: [
        'https://www.google.com/',
        'https://www.bing.com/',
        'https://duckduckgo.com/',
        'https://www.google.co.uk/',
      ],
    },
  },
  {
    name: 'Paid Social',
    effect: 0.01,
    firstWeight: 20,
    laterWeight: 5,
    lastWeight: 2,
    costPerSession: 700,
    arrival: {
      utm: { source: 'linkedin', medium: 'paid_social', campaigns: ['abm-q', 'webinar-promo'] },
      clickId: { param: 'li_fat_id', share: 0.5 },
    },
  },
  {
    name: 'Organic Social',
    effect: 0.01,
    firstWeight: 10,
    laterWeight: 5,
    lastWeight: 3,
    costPerSession: 0,
    arrival: {
      referrers: ['https://www.linkedin.com/', 'https://t.co/', 'https://l.facebook.com/'],
    },
  },
  {
    name: 'Display',
    effect: 0.004,
    firstWeight: 35,
    laterWeight: 3,
    lastWeight: 1,
    costPerSession: 80,
    arrival: {
      utm: {
        source: 'programmatic',
        medium: 'display',
        campaigns: ['retarget-visitors', 'prospecting'],
      },
    },
  },
  {
    name: 'Paid Video',
    effect: 0.004,
    firstWeight: 8,
    laterWeight: 2,
    lastWeight: 0.5,
    costPerSession: 120,
    arrival: { utm: { source: 'youtube', medium: 'cpv', campaigns: ['product-tour'] } },
  },
  {
    name: 'Email',
    effect: 0.05,
    firstWeight: 1,
    laterWeight: 20,
    lastWeight: 5,
    costPerSession: 0,
    arrival: {
      utm: { source: 'newsletter', medium: 'email', campaigns: ['monthly-digest', 'nurture-3'] },
    },
  },
  {
    name: 'Referral',
    effect: 0.04,
    firstWeight: 6,
    laterWeight: 12,
    lastWeight: 3,
    costPerSession: 0,
    arrival: {
      referrers: [
        'https://www.g2.com/products/closedloop',
        'https://www.capterra.com/',
        'https://partnerblog.example.org/',
      ],
    },
  },
  {
    name: 'AI Assistants',
    effect: 0.035,
    firstWeight: 4,
    laterWeight: 6,
    lastWeight: 2,
    costPerSession: 0,
    arrival: { referrers: ['https://chatgpt.com/', 'https://www.perplexity.ai/'] },
  },
  {
    name: 'Direct',
    effect: 0.002,
    firstWeight: 2,
    laterWeight: 10,
    lastWeight: 60,
    costPerSession: 0,
    arrival: {},
  },
];

export const defaultSegments: readonly Segment[] = [
  {
    name: 'SMB',
    share: 0.6,
    medianAmount: 800_000,
    amountSpread: 0.5,
    winRate: 0.3,
    medianCycleDays: 30,
    cycleSpread: 0.5,
  },
  {
    name: 'Mid-market',
    share: 0.3,
    medianAmount: 3_000_000,
    amountSpread: 0.5,
    winRate: 0.25,
    medianCycleDays: 60,
    cycleSpread: 0.5,
  },
  {
    name: 'Enterprise',
    share: 0.1,
    medianAmount: 12_000_000,
    amountSpread: 0.6,
    winRate: 0.2,
    medianCycleDays: 120,
    cycleSpread: 0.5,
  },
];

export interface WorldOptions {
  readonly seed?: number;
  readonly months?: number;
  readonly visitors?: number;
  readonly quarterPush?: number;
  readonly start?: number;
  readonly channels?: readonly SimChannel[];
}

export function createWorld(options: WorldOptions = {}): World {
  return {
    seed: options.seed ?? 1,
    start: options.start ?? Date.UTC(2026, 0, 1),
    months: options.months ?? 12,
    visitors: options.visitors ?? 20_000,
    channels: options.channels ?? defaultChannels,
    meanExtraVisits: 3,
    meanDaysBetweenVisits: 6,
    secondDeviceShare: 0.3,
    maxVisitsAfterLead: 3,
    dealRate: 0.35,
    segments: defaultSegments,
    stages: ['Qualification', 'Discovery', 'Proposal', 'Negotiation'],
    wonStage: 'Closed Won',
    lostStage: 'Closed Lost',
    monthEndPull: 0.25,
    quarterEndPull: 0.45,
    quarterPush: options.quarterPush ?? 0,
    site: 'https://www.closedloop-demo.com',
    currency: 'USD',
  };
}

/** UTC ms of the first instant after the simulated months. */
export function endOf(world: World): number {
  const start = new Date(world.start);
  return Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + world.months, 1);
}
