import { isIP } from 'node:net';

/**
 * Truncates an IP address before anything else sees it: IPv4 to its /24, IPv6 to its /48. The
 * raw address is never stored. Anything that is not an IP address is dropped.
 */
export function truncateIp(ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined;
  const address = ip.trim().replace(/^::ffff:(?=\d+\.)/i, '');
  const version = isIP(address);
  if (version === 4) return `${address.split('.').slice(0, 3).join('.')}.0`;
  if (version === 6) return `${expandIpv6(address).slice(0, 3).join(':')}::`;
  return undefined;
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headParts.length - tailParts.length;
  const parts = [
    ...headParts,
    ...Array.from({ length: Math.max(0, missing) }, () => '0'),
    ...tailParts,
  ];
  return parts.map((part) => part.toLowerCase().replace(/^0+(?=.)/, ''));
}
