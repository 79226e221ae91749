import { Dictionary } from './dictionary.js';
import type { Journey, Milestone } from './types.js';

/** The names behind the ids of a batch. Shared by every chunk of one read, so ids agree. */
export interface BatchDictionaries {
  readonly channels: Dictionary;
  readonly sources: Dictionary;
  readonly mediums: Dictionary;
  readonly campaigns: Dictionary;
}

export function createDictionaries(): BatchDictionaries {
  return {
    channels: new Dictionary(),
    sources: new Dictionary(),
    mediums: new Dictionary(),
    campaigns: new Dictionary(),
  };
}

/**
 * Journeys in columns, so a million journeys never become a million objects. Journey j owns the
 * touches `touchOffsets[j] .. touchOffsets[j + 1] - 1`, in time order.
 */
export interface JourneyBatch {
  readonly dictionaries: BatchDictionaries;
  readonly journeyCount: number;
  readonly touchCount: number;
  /** Per journey + 1: where its touches start. */
  readonly touchOffsets: Uint32Array;
  /** Per touch: channel id. */
  readonly touchChannel: Uint32Array;
  /** Per touch: UTC ms; null when the input had no times. */
  readonly touchTime: Float64Array | null;
  /** Per touch: source / medium / campaign ids, -1 for none; null when the input had none. */
  readonly touchSource: Int32Array | null;
  readonly touchMedium: Int32Array | null;
  readonly touchCampaign: Int32Array | null;
  /** Per journey: UTC ms of the conversion (NaN when not converted or unknown); null when no times. */
  readonly conversionTime: Float64Array | null;
  readonly conversions: Float64Array;
  readonly value: Float64Array;
  readonly nulls: Float64Array;
  /** Per journey: touch position (0-based within the journey) of each milestone, -1 when absent. */
  readonly leadTouch: Int32Array;
  readonly dealTouch: Int32Array;
  readonly wonTouch: Int32Array;
}

export interface BuilderOptions {
  readonly withTimes?: boolean;
  readonly withAttributes?: boolean;
  readonly dictionaries?: BatchDictionaries;
}

export interface TouchInput {
  readonly channel: number;
  readonly time?: number;
  readonly source?: number;
  readonly medium?: number;
  readonly campaign?: number;
}

/** Appends journeys into growing typed arrays; `build()` returns a batch over what was added. */
export class JourneyBatchBuilder {
  readonly dictionaries: BatchDictionaries;
  readonly #withTimes: boolean;
  readonly #withAttributes: boolean;
  #journeys = 0;
  #touches = 0;
  #offsets = new Uint32Array(1025);
  #channel = new Uint32Array(4096);
  #time: Float64Array;
  #source: Int32Array;
  #medium: Int32Array;
  #campaign: Int32Array;
  #conversionTime: Float64Array;
  #conversions = new Float64Array(1024);
  #value = new Float64Array(1024);
  #nulls = new Float64Array(1024);
  #lead = new Int32Array(1024);
  #deal = new Int32Array(1024);
  #won = new Int32Array(1024);

  constructor(options: BuilderOptions = {}) {
    this.dictionaries = options.dictionaries ?? createDictionaries();
    this.#withTimes = options.withTimes ?? false;
    this.#withAttributes = options.withAttributes ?? false;
    this.#time = new Float64Array(this.#withTimes ? 4096 : 0);
    this.#conversionTime = new Float64Array(this.#withTimes ? 1024 : 0);
    const attributeSize = this.#withAttributes ? 4096 : 0;
    this.#source = new Int32Array(attributeSize);
    this.#medium = new Int32Array(attributeSize);
    this.#campaign = new Int32Array(attributeSize);
  }

  get journeyCount(): number {
    return this.#journeys;
  }

  get touchCount(): number {
    return this.#touches;
  }

  /** Adds one touch to the journey being built (closed by `endJourney`). */
  addTouch(channel: number, time = Number.NaN, source = -1, medium = -1, campaign = -1): void {
    const t = this.#touches;
    if (t === this.#channel.length) this.#growTouches();
    this.#channel[t] = channel;
    if (this.#withTimes) this.#time[t] = time;
    if (this.#withAttributes) {
      this.#source[t] = source;
      this.#medium[t] = medium;
      this.#campaign[t] = campaign;
    }
    this.#touches = t + 1;
  }

  /** Closes the journey made of the touches added since the last call. Returns its index. */
  endJourney(
    conversions: number,
    value: number,
    nulls: number,
    conversionTime = Number.NaN,
    lead = -1,
    deal = -1,
    won = -1,
  ): number {
    const j = this.#journeys;
    if (j + 1 === this.#offsets.length) this.#growJourneys();
    this.#conversions[j] = conversions;
    this.#value[j] = value;
    this.#nulls[j] = nulls;
    if (this.#withTimes) this.#conversionTime[j] = conversionTime;
    this.#lead[j] = lead;
    this.#deal[j] = deal;
    this.#won[j] = won;
    this.#journeys = j + 1;
    this.#offsets[j + 1] = this.#touches;
    return j;
  }

  /** Adds to the outcome counts of a journey already built (duplicate paths are summed). */
  addOutcome(journey: number, conversions: number, value: number, nulls: number): void {
    this.#conversions[journey] = (this.#conversions[journey] ?? 0) + conversions;
    this.#value[journey] = (this.#value[journey] ?? 0) + value;
    this.#nulls[journey] = (this.#nulls[journey] ?? 0) + nulls;
  }

  build(): JourneyBatch {
    const n = this.#journeys;
    const t = this.#touches;
    return {
      dictionaries: this.dictionaries,
      journeyCount: n,
      touchCount: t,
      touchOffsets: this.#offsets.subarray(0, n + 1),
      touchChannel: this.#channel.subarray(0, t),
      touchTime: this.#withTimes ? this.#time.subarray(0, t) : null,
      touchSource: this.#withAttributes ? this.#source.subarray(0, t) : null,
      touchMedium: this.#withAttributes ? this.#medium.subarray(0, t) : null,
      touchCampaign: this.#withAttributes ? this.#campaign.subarray(0, t) : null,
      conversionTime: this.#withTimes ? this.#conversionTime.subarray(0, n) : null,
      conversions: this.#conversions.subarray(0, n),
      value: this.#value.subarray(0, n),
      nulls: this.#nulls.subarray(0, n),
      leadTouch: this.#lead.subarray(0, n),
      dealTouch: this.#deal.subarray(0, n),
      wonTouch: this.#won.subarray(0, n),
    };
  }

  #growTouches(): void {
    const size = this.#channel.length * 2;
    this.#channel = grow(this.#channel, size);
    if (this.#withTimes) this.#time = grow(this.#time, size);
    if (this.#withAttributes) {
      this.#source = grow(this.#source, size);
      this.#medium = grow(this.#medium, size);
      this.#campaign = grow(this.#campaign, size);
    }
  }

  #growJourneys(): void {
    const size = (this.#offsets.length - 1) * 2;
    this.#offsets = grow(this.#offsets, size + 1);
    this.#conversions = grow(this.#conversions, size);
    this.#value = grow(this.#value, size);
    this.#nulls = grow(this.#nulls, size);
    if (this.#withTimes) this.#conversionTime = grow(this.#conversionTime, size);
    this.#lead = grow(this.#lead, size);
    this.#deal = grow(this.#deal, size);
    this.#won = grow(this.#won, size);
  }
}

type TypedArray = Uint32Array | Int32Array | Float64Array;

function grow<T extends TypedArray>(array: T, size: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(size);
  bigger.set(array);
  return bigger;
}

/** Views journeys `start .. end - 1` of a batch as a batch of their own (no copy). */
export function sliceBatch(batch: JourneyBatch, start: number, end: number): JourneyBatch {
  const first = batch.touchOffsets[start] ?? 0;
  const last = batch.touchOffsets[end] ?? first;
  const touchView = <T extends TypedArray>(a: T | null): T | null =>
    a === null ? null : (a.subarray(first, last) as T);
  const offsets = new Uint32Array(end - start + 1);
  for (let j = start; j <= end; j++) offsets[j - start] = (batch.touchOffsets[j] ?? 0) - first;
  return {
    dictionaries: batch.dictionaries,
    journeyCount: end - start,
    touchCount: last - first,
    touchOffsets: offsets,
    touchChannel: batch.touchChannel.subarray(first, last),
    touchTime: touchView(batch.touchTime),
    touchSource: touchView(batch.touchSource),
    touchMedium: touchView(batch.touchMedium),
    touchCampaign: touchView(batch.touchCampaign),
    conversionTime: batch.conversionTime?.subarray(start, end) ?? null,
    conversions: batch.conversions.subarray(start, end),
    value: batch.value.subarray(start, end),
    nulls: batch.nulls.subarray(start, end),
    leadTouch: batch.leadTouch.subarray(start, end),
    dealTouch: batch.dealTouch.subarray(start, end),
    wonTouch: batch.wonTouch.subarray(start, end),
  };
}

/** Splits a batch into chunks of at most `size` journeys. */
export function* chunkBatch(batch: JourneyBatch, size: number): Generator<JourneyBatch> {
  for (let start = 0; start < batch.journeyCount; start += size) {
    yield sliceBatch(batch, start, Math.min(batch.journeyCount, start + size));
  }
}

const milestoneNames: readonly Milestone[] = ['lead', 'deal', 'won'];

/** Builds a batch from plain journeys: for tests and small inputs. */
export function batchFromJourneys(
  journeys: readonly Journey[],
  dictionaries: BatchDictionaries = createDictionaries(),
): JourneyBatch {
  const withTimes = journeys.some((j) => j.touches.some((t) => !Number.isNaN(t.at)));
  const withAttributes = journeys.some((j) =>
    j.touches.some(
      (t) => t.source !== undefined || t.medium !== undefined || t.campaign !== undefined,
    ),
  );
  const builder = new JourneyBatchBuilder({ withTimes, withAttributes, dictionaries });
  const optionalId = (dictionary: { intern(n: string): number }, name: string | undefined) =>
    name === undefined ? -1 : dictionary.intern(name);
  for (const journey of journeys) {
    for (const touch of journey.touches) {
      builder.addTouch(
        dictionaries.channels.intern(touch.channel),
        touch.at,
        optionalId(dictionaries.sources, touch.source),
        optionalId(dictionaries.mediums, touch.medium),
        optionalId(dictionaries.campaigns, touch.campaign),
      );
    }
    const [lead, deal, won] = milestoneNames.map((m) => journey.milestones?.[m] ?? -1);
    builder.endJourney(
      journey.conversions,
      journey.value,
      journey.nulls,
      journey.conversionAt ?? Number.NaN,
      lead,
      deal,
      won,
    );
  }
  return builder.build();
}
