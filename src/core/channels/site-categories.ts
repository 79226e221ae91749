/**
 * Which kind of site a source or referrer host is: GA4's source categories (search, social,
 * shopping, video) plus AI assistants, webmail, and `referral` — hosts under a listed domain that
 * are ordinary sites (`docs.google.com` is not a search engine). The lists are data, `sites.json`.
 *
 * An entry with a dot is a host; one without is a brand name, as UTM tags write it (`google`).
 * A host is looked up most specific first: the full host, then each parent down to its registrable
 * domain (`gemini.google.com` is AI before `google.com` is search), then its brand — the
 * registrable domain without its public suffix (`google` for `www.google.co.uk`, `google.com.br`).
 * Brands of one or two letters (`ig`, `fb`, `x`, `yt`) match bare sources only: as hosts they
 * would catch unrelated sites (`ig.com.br`, `x.ai`).
 */
import { getDomain, getDomainWithoutSuffix } from 'tldts';
import { remember } from './bounded-cache.js';
import { hostOf } from './hosts.js';
import sites from './sites.json' with { type: 'json' };

export const siteCategories = [
  'search',
  'social',
  'shopping',
  'video',
  'ai',
  'email',
  'referral',
] as const;

export type SiteCategory = (typeof siteCategories)[number];

const hosts = new Map<string, SiteCategory>();
const brands = new Map<string, SiteCategory>();
for (const category of siteCategories) {
  for (const entry of sites[category]) (entry.includes('.') ? hosts : brands).set(entry, category);
}

const minBrandLengthForHosts = 3;
const cacheLimit = 10_000;
const hostCache = new Map<string, SiteCategory | null>();
const domainCache = new Map<string, string>();

/** The category of a normalized host (see `normalizeHost`), or undefined for any other site. */
export function siteCategoryOfHost(host: string): SiteCategory | undefined {
  let category = hostCache.get(host);
  if (category === undefined) {
    category = lookUpHost(host) ?? null;
    remember(hostCache, host, category, cacheLimit);
  }
  return category ?? undefined;
}

/**
 * The category of a normalized (trimmed, lowercase) UTM source: a bare name is a brand, a name
 * with a dot a host (`utm_source=chatgpt.com`, even written as a URL).
 */
export function siteCategoryOfSource(source: string): SiteCategory | undefined {
  if (source === '') return undefined;
  if (!source.includes('.')) return brands.get(source);
  const host = hostOf(source);
  return host === '' ? undefined : siteCategoryOfHost(host);
}

function lookUpHost(host: string): SiteCategory | undefined {
  const domain = getDomain(host);
  let candidate = host;
  for (;;) {
    const category = hosts.get(candidate);
    if (category !== undefined) return category;
    if (domain === null || candidate.length <= domain.length) break;
    candidate = candidate.slice(candidate.indexOf('.') + 1);
  }
  const brand = domain === null ? null : getDomainWithoutSuffix(host);
  return brand !== null && brand.length >= minBrandLengthForHosts ? brands.get(brand) : undefined;
}

/**
 * The site a host belongs to, for telling internal referrers from external ones: the registrable
 * domain, counting private suffixes (`shop-a.myshopify.com` and `shop-b.myshopify.com` are two
 * sites), or the host itself when it has none (an IP address).
 */
export function siteOfHost(host: string): string {
  let site = domainCache.get(host);
  if (site === undefined) {
    site = getDomain(host, { allowPrivateDomains: true }) ?? host;
    remember(domainCache, host, site, cacheLimit);
  }
  return site;
}
