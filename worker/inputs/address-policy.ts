/**
 * Which network addresses an input may come from. Only public unicast addresses: loopback,
 * private (RFC 1918), link-local (with 169.254.169.254, the cloud metadata address), CGNAT,
 * multicast, broadcast, unspecified, reserved, IPv6 unique-local and link-local are refused.
 * IPv6 forms that carry an IPv4 address (IPv4-compatible `::a.b.c.d`, IPv4-mapped, IPv4-
 * translated, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are classified by the address they carry;
 * Teredo and local-use NAT64 are refused outright.
 */
import ipaddr from 'ipaddr.js';

/** The IPv4 address an IPv6 address carries, when it is of a form that carries one. */
function embeddedIPv4(v6: ipaddr.IPv6): string | null {
  const w = v6.parts;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => w.slice(from, to).every((p) => p === 0);
  // ::a.b.c.d (compatible), ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (translated); not :: or ::1.
  if (zero(0, 5) && (w[5] === 0 || w[5] === 0xffff) && !(w[5] === 0 && w[6] === 0)) return v4(w[6]!, w[7]!);
  if (zero(0, 4) && w[4] === 0xffff && w[5] === 0) return v4(w[6]!, w[7]!);
  if (w[0] === 0x64 && w[1] === 0xff9b && zero(2, 6)) return v4(w[6]!, w[7]!);
  if (w[0] === 0x2002) return v4(w[1]!, w[2]!);
  return null;
}

export function isPublicAddress(address: string): boolean {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return false;
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    const carried = embeddedIPv4(v6);
    if (carried !== null) return isPublicAddress(carried);
    // Teredo (2001::/32), local-use NAT64 (64:ff9b:1::/48) and every non-global range: refused.
    return v6.range() === 'unicast' && !(v6.parts[0] === 0x64 && v6.parts[1] === 0xff9b);
  }
  return parsed.range() === 'unicast';
}

/** The address family of an IP literal (4 or 6), or 0 for a name. */
export function ipFamily(host: string): 0 | 4 | 6 {
  const h = host.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(h)) return 0;
  return ipaddr.parse(h).kind() === 'ipv6' ? 6 : 4;
}
