/**
 * The first-party visitor id: a cookie on the registrable domain, so every subdomain of a site
 * shares one visitor, with localStorage as the fallback where cookies are blocked.
 */

const name = 'cl_id';

/** Reads the cookies, after writing one if given; a document that forbids cookies reads none. */
const jar = (cookie?: string): string => {
  try {
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is async and not in every browser.
    if (cookie) document.cookie = cookie;
    return `; ${document.cookie};`;
  } catch {
    return '';
  }
};

/** Sets a cookie (max-age 0 removes it) and tells whether the browser now holds that value. */
const setCookie = (cookie: string, value: string, maxAge: number, domain?: string): boolean =>
  jar(
    `${cookie}=${value};path=/;max-age=${maxAge};samesite=lax${domain ? `;domain=${domain}` : ''}${
      location.protocol === 'https:' ? ';secure' : ''
    }`,
  ).includes(`; ${cookie}=${value};`);

/**
 * The host's parent domains from the top (`co.uk`, `acme.co.uk`, `www.acme.co.uk`); none for
 * `localhost` and other single-label hosts. For an IPv4 host the browser refuses all but the
 * whole address, which it treats as host-only.
 */
const parentDomains = (): string[] =>
  location.hostname
    .split('.')
    .map((_, i, labels) => labels.slice(i).join('.'))
    .slice(0, -1)
    .reverse();

const storage = (
  method: 'getItem' | 'setItem' | 'removeItem',
  value?: string,
): string | null | undefined => {
  try {
    return localStorage[method](name, value as string) as string | null;
  } catch {
    // Storage that throws (blocked, sandboxed, full) counts as no storage.
  }
};

export const storedVisitorId = (): string | null | undefined =>
  (/; cl_id=([\w-]+)/.exec(jar()) || [])[1] || storage('getItem');

/**
 * Sets the id for thirteen months (renewed on every page) on the registrable domain, found
 * without a public-suffix list: browsers refuse a cookie on a public suffix, so the first parent
 * domain from the top that keeps a short-lived probe cookie is the site's own. Falls back to a
 * host-only cookie, then to localStorage.
 */
export const keepVisitorId = (id: string): void => {
  const domain = parentDomains().find(
    (parent) => setCookie('cl_probe', '1', 9, parent) && !setCookie('cl_probe', '', 0, parent),
  );
  if (!setCookie(name, id, 395 * 86400, domain)) storage('setItem', id);
};

/** Removes every trace of the id: the cookie on any level it may sit at, and the storage copy. */
export const forgetVisitorId = (): void => {
  for (const domain of parentDomains().concat('')) setCookie(name, '', 0, domain);
  storage('removeItem');
};
