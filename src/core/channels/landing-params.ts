/**
 * UTM tags and click ids carried in a landing URL's query string, for inputs (such as CSV exports)
 * that keep them there rather than in fields of their own. The classifier itself reads only the
 * landing URL's host: a collector stores tags and click ids as session fields.
 */
import type { ChannelInput } from './classify.js';
import { type ClickIdName, type ClickIds, clickIdNames } from './click-ids.js';
import { normalizeTag } from './traffic-source.js';

export interface LandingParams {
  readonly source?: string;
  readonly medium?: string;
  readonly campaign?: string;
  readonly clickIds: ClickIds;
}

const tagNames: Readonly<Record<string, 'source' | 'medium' | 'campaign'>> = {
  utm_source: 'source',
  utm_medium: 'medium',
  utm_campaign: 'campaign',
};
const clickIdSet: ReadonlySet<string> = new Set(clickIdNames);

/**
 * The tags and click ids in a URL's query (names matched case-insensitively; the first non-empty
 * value of each wins). Never throws: a malformed escape is kept as written.
 */
export function readLandingParams(url: string): LandingParams {
  const params: { source?: string; medium?: string; campaign?: string } = {};
  const clickIds: Partial<Record<ClickIdName, string>> = {};
  const start = url.indexOf('?');
  if (start === -1) return { clickIds };
  const hash = url.indexOf('#', start);
  const query = url.slice(start + 1, hash === -1 ? undefined : hash);
  for (const [rawName, value] of new URLSearchParams(query)) {
    if (value.trim() === '') continue;
    const name = rawName.trim().toLowerCase();
    const tag = tagNames[name];
    if (tag !== undefined) params[tag] ??= value;
    else if (clickIdSet.has(name)) clickIds[name as ClickIdName] ??= value;
  }
  return { ...params, clickIds };
}

/**
 * The input with its empty fields filled from its landing URL's query: fields given explicitly
 * win, each on its own (a `source` column and a `utm_medium` in the URL combine). A tag holding
 * one of GA's placeholders (`(not set)`, `(none)`...) counts as empty.
 */
export function withLandingParams(input: ChannelInput): ChannelInput {
  const url = input.landingUrl;
  if (typeof url !== 'string' || !url.includes('?')) return input;
  const found = readLandingParams(url);
  const given = (value: string | null | undefined) =>
    typeof value === 'string' && value.trim() !== '';
  // GA's placeholders (`(not set)`...) mean no value, so the URL's tag fills them as it fills an
  // empty cell; `(direct)` as a source is a value (GA4's mark of direct traffic).
  const tagGiven = (value: string | null | undefined, field: 'source' | 'medium' | 'campaign') =>
    typeof value === 'string' && normalizeTag(value, field) !== '';
  const clickIds: Partial<Record<ClickIdName, string | null | undefined>> = { ...found.clickIds };
  for (const name of clickIdNames) {
    const explicit = input.clickIds?.[name];
    if (given(explicit)) clickIds[name] = explicit;
  }
  return {
    ...input,
    source: tagGiven(input.source, 'source') ? input.source : found.source,
    medium: tagGiven(input.medium, 'medium') ? input.medium : found.medium,
    campaign: tagGiven(input.campaign, 'campaign') ? input.campaign : found.campaign,
    clickIds,
  };
}
