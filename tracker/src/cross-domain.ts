/**
 * Cross-domain hand-over. Cookies cannot cross registrable domains, so a click on a link to a
 * domain listed in `data-domains` appends `_cl=<visitor id>.<epoch ms>`; the tracker on the other
 * side removes the parameter from the address bar and adopts an id at most two minutes old when
 * the referrer is another listed domain.
 */

import { guard } from './guard.js';

/** The URL (or query string) without its hand-over parameter. */
const withoutHandOver = (url: string): string =>
  // The separator before `_cl` stays only when another parameter follows.
  url.replace(/([?&])_cl=[^&#]*(&?)/, (_, before, after) => (after ? before : ''));

const isOn = (host: string, domain: string): boolean => `.${host}`.endsWith(`.${domain}`);

/** Whether `host` is on one of the listed domains (or a subdomain) that this page is not on. */
export const isSister = (host: string | undefined, domains: string[]): boolean =>
  domains.some((listed) => isOn(host as string, listed) && !isOn(location.hostname, listed));

/**
 * Adds the hand-over parameter to a clicked link that leaves for another listed domain, for the
 * navigation this click makes only.
 */
export const decorateLink = (target: EventTarget | null, domains: string[], id: string): void => {
  const link = (target as Element).closest('a') as HTMLAnchorElement;
  if (isSister(link.hostname, domains)) {
    const search = withoutHandOver(link.search);
    link.search = `${search && `${search}&`}_cl=${id}.${Date.now()}`;
    // The click has taken its address once its dispatch is over. Left decorated, the link (on a
    // page that stays: middle or Ctrl/Cmd click, new tab, back-forward cache) would give the id to
    // "Copy link address".
    setTimeout(guard(() => (link.search = search)));
  }
};

/**
 * Takes the hand-over parameter out of the address bar (always, so the id is neither bookmarked
 * nor shared) and returns the visitor id it carried, when fresh and `handed` (the referrer is a
 * sister domain): any other page could plant an id of its choosing.
 */
export const takeHandOver = (handed: boolean): string | undefined => {
  // No id and time (a malformed value) leaves `at` undefined: NaN, never fresh.
  const [found, id, at] = /[?&]_cl=(?:([\da-f]{32})\.(\d+))?/.exec(location.search) || [];
  if (found) {
    history.replaceState(history.state, '', withoutHandOver(location.href));
    const age = Date.now() - +(at as string);
    // Fresh: two minutes.
    if (handed && age >= 0 && age < 120_000) return id;
  }
};
