/**
 * Host names out of referrers and landing URLs, without `new URL()`: the classifier reads one or
 * two URLs per session, and a slice is many times cheaper than a full parse. Two steps, so that the
 * hot path does only the first: `hostSlice` cuts out the authority as written, and `normalizeHost`
 * (run once per distinct slice, behind the classifier's cache) lowercases and checks it.
 */

/**
 * The authority part of a URL (`https://User@WWW.Example.com:443/x` → `User@WWW.Example.com:443`)
 * or of a bare host with an optional path (`example.com/x` → `example.com`). Not normalized.
 */
export function hostSlice(url: string): string {
  let start = 0;
  const scheme = url.indexOf('://');
  if (scheme > 0 && scheme < 40 && isScheme(url, scheme)) start = scheme + 3;
  else if (url.startsWith('//')) start = 2;
  let end = start;
  const length = url.length;
  while (end < length) {
    const char = url.charCodeAt(end);
    // '/', '?', '#', '\' end the authority.
    if (char === 0x2f || char === 0x3f || char === 0x23 || char === 0x5c) break;
    end++;
  }
  return start === 0 && end === length ? url : url.slice(start, end);
}

/** Letters, digits, `+`, `-`, `.` up to `://`, as RFC 3986 allows a scheme (leading spaces too). */
function isScheme(url: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const char = url.charCodeAt(i) | 0x20;
    const ok =
      (char >= 0x61 && char <= 0x7a) ||
      (char >= 0x30 && char <= 0x39) ||
      char === 0x2b ||
      char === 0x2d ||
      char === 0x2e ||
      url.charCodeAt(i) === 0x20;
    if (!ok) return false;
  }
  return true;
}

// A host name: labels of letters (any script), digits, `-` or `_`, joined by dots, at least two.
const hostPattern = /^[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)+$/u;

/**
 * A slice from `hostSlice` as a comparable host: trimmed, lowercased, without user info, port or
 * trailing dot. '' when it is not a host name with at least one dot (`localhost`, `not a url`,
 * an IPv6 literal): such a referrer says nothing about where a visit came from.
 */
export function normalizeHost(slice: string): string {
  let host = slice.trim().toLowerCase();
  const at = host.lastIndexOf('@');
  if (at !== -1) host = host.slice(at + 1);
  const colon = host.indexOf(':');
  if (colon !== -1) host = host.slice(0, colon);
  if (host.endsWith('.')) host = host.slice(0, -1);
  return hostPattern.test(host) ? host : '';
}

/** `hostSlice` then `normalizeHost`: the host of a URL or bare host, or ''. */
export function hostOf(url: string): string {
  return normalizeHost(hostSlice(url.trim()));
}
