/**
 * Cross-domain hand-over. Cookies cannot cross registrable domains, so a click on a link to a
 * domain listed in `data-domains` appends `_cl=<visitor id>.<epoch ms>`; the tracker on the other
 * side adopts an id at most two minutes old and removes the parameter from the address bar.
 */

const freshForMs = 120_000;

/** The URL (or query string) without its hand-over parameter. */
const withoutHandOver = (url: string): string =>
  url.replace(/([?&])_cl=[^&#]*&?/, '$1').replace(/[?&](#|$)/, '$1');

const isOn = (host: string, domain: string): boolean => `.${host}`.endsWith(`.${domain}`);

/** Adds the hand-over parameter to a clicked link that leaves for another listed domain. */
export const decorateLink = (target: EventTarget | null, domains: string[], id: string): void => {
  const link = (target as Element).closest('a') as HTMLAnchorElement;
  const domain = domains.find((listed) => isOn(link.hostname, listed));
  if (domain && !isOn(location.hostname, domain)) {
    const search = withoutHandOver(link.search);
    link.search = `${search}${search ? '&' : ''}_cl=${id}.${Date.now()}`;
  }
};

/**
 * Takes the hand-over parameter out of the address bar (always, so the id is neither bookmarked
 * nor shared) and returns the visitor id it carried, when fresh.
 */
export const takeHandOver = (): string | undefined => {
  const [, id, at] = /[?&]_cl=(\w*)\.?(\d*)/.exec(location.search) || [];
  if (id === undefined) return;
  history.replaceState(history.state, '', withoutHandOver(location.href));
  const age = Date.now() - +(at as string);
  if (/^\w{32}$/.test(id) && age >= 0 && age < freshForMs) return id;
};
