import { BlockList, isIP } from 'node:net';

/** `10.0.0.1`, `::1`, or a CIDR range (`10.0.0.0/8`, `fd00::/8`); undefined when it is none of these. */
export function parseAddressRange(
  entry: string,
): { address: string; prefix?: number; type: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (!version || rest.length) return undefined;
  const type = version === 4 ? 'ipv4' : 'ipv6';
  if (prefix === undefined) return { address, type };
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
  return bits <= (version === 4 ? 32 : 128) ? { address, prefix: bits, type } : undefined;
}

/**
 * The proxies in front of an HTTP MCP server whose `X-Forwarded-For` is believed (the receiver's
 * `trusted_proxies`). Anyone can send the header, so by default it is ignored.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  private readonly none: boolean;

  constructor(entries: readonly string[]) {
    this.none = entries.length === 0;
    for (const entry of entries) {
      const range = parseAddressRange(entry);
      if (range?.prefix !== undefined) this.list.addSubnet(range.address, range.prefix, range.type);
      else if (range) this.list.addAddress(range.address, range.type);
    }
  }

  /**
   * `client.address`: the peer's address, unless the peer is a trusted proxy; then the header's hops
   * are read from the right (each proxy appends the address it saw) up to the first untrusted one.
   */
  clientAddress(peer: string | undefined, forwardedFor: string | undefined): string | undefined {
    if (this.none || !peer || !forwardedFor) return peer;
    const hops = forwardedFor.split(',');
    let address = peer;
    for (let i = hops.length - 1; i >= 0 && this.trusts(address); i--) address = hops[i]?.trim() || address;
    return address;
  }

  private trusts(address: string): boolean {
    const version = isIP(address);
    return version !== 0 && this.list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  }
}
