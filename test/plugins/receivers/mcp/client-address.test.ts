// `trusted_proxies`: whose X-Forwarded-For gives client.address (the transports test runs it end to end).
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../../core/config/load.js';
import { TributaryErrors } from '../../../../core/errors.js';
import { Engine } from '../../../../main.js';
import { TrustedProxies } from '../../../../plugins/receivers/mcp/client-address.js';

describe('trusted_proxies', () => {
  it('is refused, entry by entry, when an entry is not an address or a CIDR range', async () => {
    const yaml = `receivers: { mcp: { trusted_proxies: [10.0.0.1, 10.0.0.0/33, proxy.local, "::1/128"] } }
exporters: { stdout: { stream: stderr } }
service: { pipelines: { traces: { receivers: [mcp], exporters: [stdout] } } }
`;
    const refused = await new Engine(parseConfigText(yaml, '/cfg/config.yaml')).validate().catch((e) => e);
    expect(refused).toBeInstanceOf(TributaryErrors);
    expect((refused as TributaryErrors).errors.map((e) => e.format())).toEqual([
      '/cfg/config.yaml:1:49: TRB_CONFIG_INVALID_VALUE receivers.mcp.trusted_proxies[1]: expected an IP address or a CIDR range, e.g. 10.0.0.1, 10.0.0.0/8 or ::1',
      '/cfg/config.yaml:1:62: TRB_CONFIG_INVALID_VALUE receivers.mcp.trusted_proxies[2]: expected an IP address or a CIDR range, e.g. 10.0.0.1, 10.0.0.0/8 or ::1',
    ]);
  });

  it('believes the header only from a trusted peer, IPv4-mapped and IPv6 peers included', () => {
    const none = new TrustedProxies([]);
    expect(none.clientAddress('127.0.0.1', '203.0.113.7')).toBe('127.0.0.1');
    const trusted = new TrustedProxies(['10.0.0.0/8', '::1']);
    expect(trusted.clientAddress('::ffff:10.1.2.3', '203.0.113.7')).toBe('203.0.113.7');
    expect(trusted.clientAddress('::1', '2001:db8::1')).toBe('2001:db8::1');
    expect(trusted.clientAddress('192.0.2.1', '203.0.113.7')).toBe('192.0.2.1');
    // Every hop trusted: the leftmost is as far as anyone can tell.
    expect(trusted.clientAddress('10.0.0.1', '10.0.0.9, 10.0.0.5')).toBe('10.0.0.9');
    expect(trusted.clientAddress('10.0.0.1', undefined)).toBe('10.0.0.1');
  });
});
