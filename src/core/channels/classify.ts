/**
 * Channel classification: a session's UTM tags, referrer, click ids and landing URL → a channel
 * group. `classifyChannel` applies the default rules (GA4's channel group plus AI Assistants, see
 * `default-rules.ts` and `traffic-source.ts`); `createChannelClassifier(rules)` puts a workspace's
 * own rules first (`custom-rules.ts`). Never throws on odd input: anything that is not a string
 * counts as absent, an unreadable referrer is ignored, and anything unrecognized is Unassigned.
 *
 * Speed: real traffic repeats a few hundred combinations of source, medium, campaign and sites,
 * so each classifier memoizes its answers in a bounded map keyed on exactly the inputs that decide
 * them — the values as given, the referrer's and landing URL's hosts (sliced, not parsed) and
 * which click ids are present — never on whole URLs or click id values, which are unique per
 * visit. The landing host is read only when there is a referrer to compare it with. Everything
 * else (normalizing, public-suffix lookups, rules) runs once per distinct key.
 */

import { remember } from './bounded-cache.js';
import type { DefaultChannel } from './channel-groups.js';
import { type ClickIds, clickIdMask, clickIdNamesIn } from './click-ids.js';
import { type ChannelRule, type CompiledRules, compileChannelRules } from './custom-rules.js';
import { defaultChannelOf } from './default-rules.js';
import { hostSlice, normalizeHost } from './hosts.js';
import { normalizeTag, resolveTraffic } from './traffic-source.js';

/** One session (or touch) to classify; every field is optional. */
export interface ChannelInput {
  readonly source?: string | null;
  readonly medium?: string | null;
  readonly campaign?: string | null;
  /** A full URL or a bare host. */
  readonly referrer?: string | null;
  readonly clickIds?: ClickIds | null;
  /** The landing page's URL; only its host is read, to recognize internal referrers. */
  readonly landingUrl?: string | null;
}

export type ChannelClassifier = (input: ChannelInput) => string;

export interface ClassifierOptions {
  /** Most distinct inputs remembered (default 20,000); the memo starts afresh when full. */
  readonly cacheSize?: number;
}

const defaultCacheSize = 20_000;
// Longer keys (huge pasted values) are answered but not remembered, so the memo's size in bytes
// stays bounded too.
const maxKeyLength = 1024;
// Separates the parts of a cache key. A key whose parts contain it is never stored: a stored key
// then has exactly five, so no other input can collide with it.
const separator = '\u0000';
const maskTexts = Array.from({ length: 128 }, (_, mask) => String(mask));

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** A classifier applying `rules` (checked here; see `parseChannelRules`) before the defaults. */
export function createChannelClassifier(
  rules: readonly ChannelRule[] = [],
  options: ClassifierOptions = {},
): ChannelClassifier {
  const custom = compileChannelRules(rules);
  const cacheSize = Math.max(1, Math.floor(options.cacheSize ?? defaultCacheSize));
  const cache = new Map<string, string>();
  // Rules on whole URLs run on every call, before the cache; other rules are cached with the rest.
  const perCall = custom.readsWholeUrls ? custom : undefined;
  const cached = custom.count > 0 && !custom.readsWholeUrls ? custom : undefined;
  const alwaysLandingHost = custom.readsLandingHost;

  return (input) => {
    const session: ChannelInput = typeof input === 'object' && input !== null ? input : {};
    const source = text(session.source);
    const medium = text(session.medium);
    const campaign = text(session.campaign);
    const referrer = text(session.referrer);
    const landingUrl = text(session.landingUrl);
    const referrerSlice = referrer === '' ? '' : hostSlice(referrer);
    const landingSlice =
      landingUrl !== '' && (referrerSlice !== '' || alwaysLandingHost) ? hostSlice(landingUrl) : '';
    const mask = clickIdMask(session.clickIds);
    if (perCall !== undefined) {
      const channel = perCall.match({
        ...tagsForRules(source, medium, campaign, mask),
        referrer: referrer.trim().toLowerCase(),
        referrerHost: normalizeHost(referrerSlice),
        landingUrl: landingUrl.trim().toLowerCase(),
        landingHost: normalizeHost(landingUrl === '' ? '' : hostSlice(landingUrl)),
      });
      if (channel !== undefined) return channel;
    }
    const key =
      source +
      separator +
      medium +
      separator +
      campaign +
      separator +
      referrerSlice +
      separator +
      landingSlice +
      separator +
      maskTexts[mask];
    let channel = cache.get(key);
    if (channel === undefined) {
      channel = decide(cached, source, medium, campaign, referrerSlice, landingSlice, mask);
      if (key.length <= maxKeyLength && separatorsIn(key) === 5) {
        remember(cache, key, channel, cacheSize);
      }
    }
    return channel;
  };
}

function separatorsIn(key: string): number {
  let count = 0;
  for (let at = key.indexOf(separator); at !== -1; at = key.indexOf(separator, at + 1)) count++;
  return count;
}

function decide(
  rules: CompiledRules | undefined,
  source: string,
  medium: string,
  campaign: string,
  referrerSlice: string,
  landingSlice: string,
  mask: number,
): string {
  const referrerHost = normalizeHost(referrerSlice);
  const landingHost = normalizeHost(landingSlice);
  if (rules !== undefined) {
    const channel = rules.match({
      ...tagsForRules(source, medium, campaign, mask),
      referrer: '',
      referrerHost,
      landingUrl: '',
      landingHost,
    });
    if (channel !== undefined) return channel;
  }
  return defaultChannelOf(
    resolveTraffic({
      source: normalizeTag(source, 'source'),
      medium: normalizeTag(medium, 'medium'),
      campaign: normalizeTag(campaign, 'campaign'),
      referrerHost,
      landingHost,
      clickMask: mask,
    }),
  );
}

function tagsForRules(source: string, medium: string, campaign: string, mask: number) {
  return {
    source: source.trim().toLowerCase(),
    medium: medium.trim().toLowerCase(),
    campaign: campaign.trim().toLowerCase(),
    clickId: clickIdNamesIn(mask),
  };
}

const defaultClassifier = createChannelClassifier();

/** The default channel group of a session (no custom rules). */
export function classifyChannel(input: ChannelInput): DefaultChannel {
  return defaultClassifier(input) as DefaultChannel;
}
