/**
 * Host names out of referrers and landing URLs, without `new URL()`: the classifier reads one or
 * two URLs per session, and a slice is many times cheaper than a full parse. Two steps, so that the
 * hot path does only the first: `hostSlice` cuts out the authority as written, and `normalizeHost`
 * (run once per distinct slice, behind the classifier's cache) lowercases and checks it. Only
 * `normalizeHost` converts: Unicode names to punycode, and (rare) IPv6 literals through `URL`.
 */
import { domainToASCII } from 'node:url';

/**
 * The authority part of a URL (`https://User@WWW.Example.com:443/x` → `User@WWW.Example.com:443`)
 * or of a bare host with an optional path (`example.com/x` → `example.com`), whitespace around
 * the URL (tab, line break, no-break space...) skipped. Not normalized.
 */
export function hostSlice(text: string): string {
  // Exports and pasted values may start with a tab or a no-break space, which would otherwise
  // hide the scheme. `trim` hands back the string itself when there is nothing to cut.
  const url = text.trim();
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

const nonAscii = /[\u0080-\uffff]/;
const loopbackIpv6 = '[::1]';

/**
 * A slice from `hostSlice` as a comparable host: trimmed, lowercased, without user info, port or
 * trailing dot, an international name in its ASCII form (`bücher.de` → `xn--bcher-kva.de`), an
 * IPv6 literal in brackets in its canonical form (`[2001:db8::1]`). '' when it is neither a host
 * name with at least one dot nor an IP address (`localhost`, `[::1]`, `not a url`): such a
 * referrer says nothing about where a visit came from.
 */
export function normalizeHost(slice: string): string {
  let host = slice.trim().toLowerCase();
  const at = host.lastIndexOf('@');
  if (at !== -1) host = host.slice(at + 1);
  // An IPv6 literal holds colons of its own: it ends at its bracket, not at the first colon.
  if (host.startsWith('[')) return ipv6Literal(host);
  const colon = host.indexOf(':');
  if (colon !== -1) host = host.slice(0, colon);
  host = toAsciiHost(host);
  if (host.endsWith('.')) host = host.slice(0, -1);
  return hostPattern.test(host) ? host : '';
}

/**
 * A host name, or part of one, in ASCII: one site written in Unicode and in punycode must compare
 * equal, and browsers send referrers in punycode. ASCII text (nearly every host) is returned as
 * it is, without the IDNA conversion; '' when the text cannot be converted.
 */
export function toAsciiHost(text: string): string {
  return nonAscii.test(text) ? domainToASCII(text) : text;
}

/** `[2001:DB8:0::1]:8080` → `[2001:db8::1]`; '' when it is no IPv6 address or the loopback. */
function ipv6Literal(host: string): string {
  const close = host.indexOf(']');
  if (close === -1 || (close + 1 < host.length && host.charCodeAt(close + 1) !== 0x3a)) return '';
  let literal: string;
  try {
    // Rare, and behind the classifier's memo: the WHATWG parser checks and canonicalizes it.
    literal = new URL(`http://${host.slice(0, close + 1)}/`).hostname;
  } catch {
    return '';
  }
  // `[::1]` is this machine, like `localhost`.
  return literal === loopbackIpv6 ? '' : literal;
}

/** `hostSlice` then `normalizeHost`: the host of a URL or bare host, or ''. */
export function hostOf(url: string): string {
  return normalizeHost(hostSlice(url));
}
