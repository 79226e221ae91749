/**
 * GA4's default channel group as an ordered chain of rules: the first rule that holds names the
 * channel. Conditions are GA4's published ones, on lowercase values; lists of media match whole
 * values (`app` is Referral, `app-notification` is not).
 *
 * One rule is ours: AI Assistants (source on the AI list), tried after Paid Other so that a paid
 * medium still makes a visit paid, and before the organic rules so that an assistant is never
 * taken for the search engine or social site whose domain it lives on. Webmail sites count as
 * Email, like an `email` source or medium, and before the Referral rule, as the other site
 * categories do: `mail.google.com` / `referral` is Email (an `email` source with that medium stays
 * Referral, as in GA4).
 */
import type { DefaultChannel } from './channel-groups.js';
import type { SiteCategory } from './site-categories.js';

/** Where a visit came from, as the default rules see it: source, medium, campaign resolved. */
export interface Traffic {
  /** Lowercase; '' when unknown; `(direct)` as GA writes it. */
  readonly source: string;
  /** Lowercase; '' when unknown (GA's `(none)` and `(not set)`). */
  readonly medium: string;
  readonly campaign: string;
  /** The site category of the source (see `site-categories.ts`). */
  readonly category: SiteCategory | undefined;
}

const paidMedium = /^(.*cp.*|ppc|retargeting|paid.*)$/;
const shoppingCampaign = /^(.*(([^a-df-z]|^)shop|shopping).*)$/;
const displayMedia = new Set(['display', 'banner', 'expandable', 'interstitial', 'cpm']);
const socialMedia = new Set([
  'social',
  'social-network',
  'social-media',
  'sm',
  'social network',
  'social media',
]);
const referralMedia = new Set(['referral', 'app', 'link']);
const emailNames = new Set(['email', 'e-mail', 'e_mail', 'e mail']);

/** GA4's paid media: anything with `cp` (cpc, cpm, cpv...), ppc, retargeting, paid... */
export function isPaidMedium(medium: string): boolean {
  return paidMedium.test(medium);
}

/**
 * The rules in GA4's order, first match wins. Written as one chain of tests rather than a table
 * of predicates: it runs on every cache miss, and the chain is about twenty times faster.
 */
export function defaultChannelOf(traffic: Traffic): DefaultChannel {
  const { source, medium, campaign, category } = traffic;
  const direct = source === '(direct)' && medium === '';
  if (direct || (source === '' && medium === '' && campaign === '')) return 'Direct';
  if (campaign.includes('cross-network')) return 'Cross-network';
  const paid = isPaidMedium(medium);
  // Both branches of the regex need "shop"; most campaigns are rejected without running it.
  const shopping =
    category === 'shopping' || (campaign.includes('shop') && shoppingCampaign.test(campaign));
  if (paid && shopping) return 'Paid Shopping';
  if (paid && category === 'search') return 'Paid Search';
  if (paid && category === 'social') return 'Paid Social';
  if (paid && category === 'video') return 'Paid Video';
  if (displayMedia.has(medium)) return 'Display';
  if (paid) return 'Paid Other';
  if (category === 'ai') return 'AI Assistants';
  if (shopping) return 'Organic Shopping';
  if (category === 'social' || socialMedia.has(medium)) return 'Organic Social';
  if (category === 'video' || medium.includes('video')) return 'Organic Video';
  if (category === 'search' || medium === 'organic') return 'Organic Search';
  // Ours, like the site categories above: a webmail site is Email even with a referral medium,
  // as its bare referrer is (`mail.google.com` / `referral`).
  if (category === 'email') return 'Email';
  if (referralMedia.has(medium)) return 'Referral';
  if (emailNames.has(source) || emailNames.has(medium)) return 'Email';
  if (medium === 'affiliate') return 'Affiliates';
  if (medium === 'audio') return 'Audio';
  if (source === 'sms' || medium === 'sms') return 'SMS';
  const push =
    medium.endsWith('push') ||
    medium.includes('mobile') ||
    medium.includes('notification') ||
    source === 'firebase';
  return push ? 'Mobile Push Notifications' : 'Unassigned';
}
