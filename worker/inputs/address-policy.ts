/**
 * Which network addresses an input may come from. Only public unicast addresses: loopback,
 * private (RFC 1918), link-local (with 169.254.169.254, the cloud metadata address), CGNAT,
 * multicast, broadcast, unspecified, reserved, IPv6 unique-local and link-local are refused,
 * and so are IPv6 forms that carry an IPv4 address (mapped, 6to4, NAT64, Teredo) unless the
 * address inside is public.
 */
import ipaddr from 'ipaddr.js';

export function isPublicAddress(address: string): boolean {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return false;
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return isPublicAddress(v6.toIPv4Address().toString());
    const range = v6.range();
    // NAT64 (64:ff9b::/96), 6to4 and Teredo embed IPv4 addresses: refuse them outright.
    return range === 'unicast';
  }
  return parsed.range() === 'unicast';
}

/** The address family of an IP literal (4 or 6), or 0 for a name. */
export function ipFamily(host: string): 0 | 4 | 6 {
  const h = host.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(h)) return 0;
  return ipaddr.parse(h).kind() === 'ipv6' ? 6 : 4;
}
