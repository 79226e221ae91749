/**
 * Resolves a session's source and medium the way an analytics tool records them, before the
 * default rules read them. Precedence: UTM tags, then click ids, then the referrer.
 *
 * - A UTM medium outranks click ids (`utm_medium=email` with a gclid is Email); only when it is a
 *   paid medium and no UTM source is given does a click id name the source (`utm_medium=paid`
 *   with an fbclid is Paid Social). Without a UTM medium, a click id supplies the medium and,
 *   when no UTM source is given, the source: gclid, gbraid, wbraid → google / cpc (so
 *   `utm_source=youtube` plus a gclid is Paid Video); msclkid → bing / cpc; li_fat_id →
 *   linkedin / cpc; ttclid → tiktok / cpc; fbclid → facebook with no medium, because Facebook
 *   adds it to every outbound link, organic or paid. With several ids, the first listed wins.
 * - With no UTM source, medium or click id, an external referrer is the source, with medium
 *   `organic` for a search engine, `email` for webmail and `referral` for any other site (social,
 *   video, shopping and AI sites are then recognized by their category, as in GA4).
 * - A referrer on the landing page's own site is internal and ignored: the visit is Direct unless
 *   something else is known. Without a landing URL every referrer counts as external.
 * - A UTM campaign alone neither hides the referrer nor makes the visit tagged.
 */

import { clickIdBit, googleClickIds } from './click-ids.js';
import { isPaidMedium, type Traffic } from './default-rules.js';
import { siteCategoryOfHost, siteCategoryOfSource, siteOfHost } from './site-categories.js';

/** A session's fields, normalized (see `normalizeTag` and `normalizeHost`). */
export interface SessionFacts {
  readonly source: string;
  readonly medium: string;
  readonly campaign: string;
  readonly referrerHost: string;
  readonly landingHost: string;
  readonly clickMask: number;
}

// GA's and Universal Analytics' stand-ins for "no value"; `(direct)` stays as a source, where it
// is GA4's mark of direct traffic.
const placeholders = new Set([
  '(not set)',
  '(none)',
  '(not provided)',
  '(direct)',
  '(organic)',
  '(referral)',
]);

/** A UTM value trimmed and lowercased; '' for GA's placeholders (except a `(direct)` source). */
export function normalizeTag(value: string, field: 'source' | 'medium' | 'campaign'): string {
  const tag = value.trim().toLowerCase();
  if (!placeholders.has(tag)) return tag;
  return field === 'source' && tag === '(direct)' ? tag : '';
}

export function resolveTraffic(session: SessionFacts): Traffic {
  const { campaign, clickMask } = session;
  let { source, medium } = session;
  if (medium === '' && clickMask !== 0 && source !== '(direct)') {
    const click = clickSource(clickMask);
    if (source === '') source = click.source;
    medium = click.medium;
  } else if (source === '' && clickMask !== 0 && isPaidMedium(medium)) {
    source = clickSource(clickMask).source;
  } else if (source === '' && medium === '') {
    const referrer = externalReferrer(session.referrerHost, session.landingHost);
    if (referrer !== '') {
      const category = siteCategoryOfHost(referrer);
      const derived =
        category === 'search' ? 'organic' : category === 'email' ? 'email' : 'referral';
      return { source: referrer, medium: derived, campaign, category };
    }
  }
  return { source, medium, campaign, category: siteCategoryOfSource(source) };
}

function clickSource(mask: number): { source: string; medium: string } {
  if ((mask & googleClickIds) !== 0) return { source: 'google', medium: 'cpc' };
  if ((mask & clickIdBit.msclkid) !== 0) return { source: 'bing', medium: 'cpc' };
  if ((mask & clickIdBit.li_fat_id) !== 0) return { source: 'linkedin', medium: 'cpc' };
  if ((mask & clickIdBit.ttclid) !== 0) return { source: 'tiktok', medium: 'cpc' };
  return { source: 'facebook', medium: '' };
}

function externalReferrer(referrerHost: string, landingHost: string): string {
  if (referrerHost === '' || landingHost === '') return referrerHost;
  return siteOfHost(referrerHost) === siteOfHost(landingHost) ? '' : referrerHost;
}
