import { getDomain } from 'tldts';
import type { ChannelClassifier } from '../core/channels/classify.js';
import { hostOf } from '../core/channels/hosts.js';
import type { SessionRecord } from '../store/ports.js';
import type { NormalizedEvent } from './normalize.js';
import { isPaymentHost } from './referral-exclusions.js';

export interface SessionRules {
  readonly workspaceId: string;
  readonly timeoutMs: number;
  readonly classify: ChannelClassifier;
  readonly newSessionId: () => string;
}

export interface SessionStep {
  /** The session the event belongs to, after the event (null: no page view opened one yet). */
  readonly session: SessionRecord | null;
  readonly started: boolean;
}

/**
 * Where an event falls in its visitor's sessions. A page view starts a new session after the idle
 * timeout, on a new campaign (UTM tags or a click id that differ from the session's), or on an
 * arrival from an external site whose channel differs from the session's (the session's own
 * referrer host again is that arrival re-sent); otherwise it extends the current one, whose first
 * touch no later page view rewrites (one that happened before it, delivered late, may be its true
 * first touch). Other events join the current session while it is live and never start one.
 */
export function placeInSession(
  current: SessionRecord | undefined,
  event: NormalizedEvent,
  visitorId: string,
  rules: SessionRules,
): SessionStep {
  const live =
    current !== undefined &&
    event.timestamp - current.lastSeenAt <= rules.timeoutMs &&
    event.timestamp >= current.startedAt - rules.timeoutMs;
  if (event.kind !== 'page') {
    if (!live || current === undefined) return { session: null, started: false };
    return { session: extend(current, event, false), started: false };
  }
  const external = isExternalReferrer(event.referrer, event.url, current?.landingPage ?? null);
  const open = (channel: string): SessionRecord => ({
    id: rules.newSessionId(),
    workspaceId: rules.workspaceId,
    visitorId,
    startedAt: event.timestamp,
    lastSeenAt: event.timestamp,
    landingPage: event.url,
    referrer: external ? event.referrer : null,
    source: event.source,
    medium: event.medium,
    campaign: event.campaign,
    term: event.term,
    content: event.content,
    clickIds: event.clickIds,
    channel,
    bot: event.bot,
    pageViews: 1,
  });
  const classify = () =>
    rules.classify({
      source: event.source,
      medium: event.medium,
      campaign: event.campaign,
      referrer: external ? event.referrer : null,
      clickIds: event.clickIds,
      landingUrl: event.url,
    });
  // A page view older than the live session came before its first page view (delivered late:
  // an ad's landing after the page that followed it). Read in the order they happened, the
  // session's first page view either continued what this one opened, which makes this one the
  // session's first touch, or started a session of its own after it.
  if (live && current !== undefined && event.timestamp < current.startedAt) {
    const opened = open(classify());
    if (!continuesFrom(opened, current)) return { session: opened, started: true };
    const { lastSeenAt, pageViews } = current;
    return {
      session: { ...opened, id: current.id, lastSeenAt, pageViews: pageViews + 1 },
      started: false,
    };
  }
  // A live session with the same campaign continues unless an external referrer changes the
  // channel: only then, or for a new session, is the page view classified. Single-page apps
  // (Segment's analytics.js) re-send the landing's referrer on every in-app navigation: the
  // session's own referrer host again is the same arrival.
  let channel: string | undefined;
  if (live && current !== undefined && !opensCampaign(current, event)) {
    if (!external || sameReferrerHost(event.referrer, current.referrer)) {
      return { session: extend(current, event, true), started: false };
    }
    channel = classify();
    if (channel === current.channel) {
      return { session: extend(current, event, true), started: false };
    }
  }
  return { session: open(channel ?? classify()), started: true };
}

/** What decides whether a page view opens a campaign: a session's first touch, or a page view. */
type CampaignTouch = Pick<SessionRecord, 'source' | 'medium' | 'campaign' | 'clickIds'>;

/**
 * UTM tags or a click id that differ from the session's. Tags are compared without regard to
 * case, as the channel rules read them: `Google/CPC` continues a `google/cpc` visit.
 */
function opensCampaign(current: CampaignTouch, next: CampaignTouch): boolean {
  const tagged = next.source !== null || next.medium !== null || next.campaign !== null;
  if (
    tagged &&
    !(
      sameTag(next.source, current.source) &&
      sameTag(next.medium, current.medium) &&
      sameTag(next.campaign, current.campaign)
    )
  ) {
    return true;
  }
  for (const [name, value] of Object.entries(next.clickIds)) {
    if (current.clickIds[name] !== value) return true;
  }
  return false;
}

function sameTag(a: string | null, b: string | null): boolean {
  return a === b || (a !== null && b !== null && a.toLowerCase() === b.toLowerCase());
}

/**
 * Whether the first page view of `later` would have continued `earlier`, had it arrived after it:
 * no new campaign, and no arrival from elsewhere (a session keeps its referrer only when it was
 * external) of another channel, other than the one `earlier` came from.
 */
function continuesFrom(earlier: SessionRecord, later: SessionRecord): boolean {
  if (opensCampaign(earlier, later)) return false;
  return (
    later.referrer === null ||
    later.channel === earlier.channel ||
    sameReferrerHost(later.referrer, earlier.referrer)
  );
}

function sameReferrerHost(referrer: string | null, sessionReferrer: string | null): boolean {
  const host = referrerHost(referrer);
  return host !== '' && host === referrerHost(sessionReferrer);
}

function extend(session: SessionRecord, event: NormalizedEvent, pageView: boolean): SessionRecord {
  return {
    ...session,
    lastSeenAt: Math.max(session.lastSeenAt, event.timestamp),
    pageViews: session.pageViews + (pageView ? 1 : 0),
  };
}

const domainCache = new Map<string, string | null>();

function registrableDomain(url: string): string | null {
  let domain = domainCache.get(url);
  if (domain === undefined) {
    // With private suffixes (github.io, myshopify.com, vercel.app): two sites hosted there are
    // two sites, and one referring to the other is an arrival from elsewhere.
    domain = getDomain(url, { allowPrivateDomains: true }) ?? null;
    if (domainCache.size > 50_000) domainCache.clear();
    domainCache.set(url, domain);
  }
  return domain;
}

/**
 * A referrer on another site than the page's own (subdomains of the same site are internal), and
 * not a payment provider the visitor returns from. A page sent without its site (a relative
 * `/pricing`, or no URL, from a hand-written server call) is taken to be on the site of
 * `sessionLanding`, the landing page of the visitor's current session.
 */
export function isExternalReferrer(
  referrer: string | null,
  pageUrl: string | null,
  sessionLanding: string | null = null,
): boolean {
  const from = referrerHost(referrer);
  if (from === '' || isPaymentHost(from)) return false;
  const to =
    (pageUrl === null ? '' : hostOf(pageUrl)) ||
    (sessionLanding === null ? '' : hostOf(sessionLanding));
  if (to === '') return true;
  if (from === to) return false;
  const fromDomain = registrableDomain(from);
  return fromDomain === null || fromDomain !== registrableDomain(to);
}

// Browsers and SDKs also send `about:blank`, `null` or `undefined`, which name no place; an app
// that opens the page sends `android-app://` and its package name.
const webAddress = /^\s*(?:https?|android-app):\/\//i;

/**
 * The host of a referrer that is a web or app address, lower-case and ASCII; '' for anything else
 * and for a host without a dot (`localhost`, an intranet name), as if no referrer were sent.
 */
function referrerHost(referrer: string | null): string {
  return referrer !== null && webAddress.test(referrer) ? hostOf(referrer) : '';
}
