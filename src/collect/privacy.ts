import { isIP } from 'node:net';

/**
 * Truncates an IP address before anything else sees it: IPv4 to its /24, IPv6 to its /48 (in its
 * canonical form), an IPv4 address written as IPv6 (`::ffff:203.0.113.79`) to its IPv4 /24, a
 * 6to4 address (`2002:cb00:714f::1`, the IPv4 address in bits 16–47) to its /40, the /24 of
 * that IPv4 address. A port (`1.2.3.4:8080`, `[2001:db8::1]:443`, as some proxies write
 * X-Forwarded-For) is left out. The raw address is never stored. Anything that is not an IP
 * address is dropped.
 */
export function truncateIp(ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined;
  const address = withoutPort(ip.trim());
  const version = isIP(address);
  if (version === 4) return ipv4Prefix(address);
  if (version !== 6) return undefined;
  const groups = ipv6Groups(address);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return ipv4Prefix(`${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`);
  }
  const [first = 0, second = 0, third = 0] = groups;
  // A 6to4 /48 is one whole IPv4 address, the client's: keep no more of it than of an IPv4 one.
  // (Teredo and NAT64 carry the client's IPv4 address in the last 32 bits, which the /48 drops.)
  if (first === 0x2002) return canonicalIpv6([first, second, third & 0xff00, 0, 0, 0, 0, 0]);
  return canonicalIpv6([first, second, third, 0, 0, 0, 0, 0]);
}

/** The /24 of a dotted quad `isIP` accepted: its last octet zeroed. */
function ipv4Prefix(address: string): string {
  return `${address.slice(0, address.lastIndexOf('.'))}.0`;
}

/** `[v6]:port` → `v6`; `v4:port` → `v4`; anything else as it is. */
function withoutPort(text: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed !== null) return isIP(bracketed[1] as string) === 6 ? (bracketed[1] as string) : '';
  const ported = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(text);
  return ported === null ? text : (ported[1] as string);
}

/** The eight 16-bit groups of an address `isIP` found to be IPv6 (a zone id left out). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0] as string;
  // A trailing dotted IPv4 part is the last two groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16));
  const headGroups = parse(head);
  const tailGroups = tail === undefined ? [] : parse(tail);
  const missing = 8 - headGroups.length - tailGroups.length;
  return [...headGroups, ...Array.from({ length: Math.max(0, missing) }, () => 0), ...tailGroups];
}

/** RFC 5952: lower-case hex without leading zeros, the longest run of two or more zeros as `::`. */
function canonicalIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
