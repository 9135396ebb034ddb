import type { NetworkConfig } from '../config.js';
import { nameFilter } from '../filter.js';
import { type InterfaceCounters, parseNetDev } from '../procfs.js';
import { counter, type Metric, readProc, type Scraper } from '../scrape.js';

const METRICS: [Metric, keyof InterfaceCounters][] = [
  [counter('system.network.io', 'By', 'The number of bytes transmitted and received.'), 'bytes'],
  [counter('system.network.packet.count', '{packet}', 'The number of packets transferred.'), 'packets'],
  [counter('system.network.errors', '{error}', 'Count of network errors detected.'), 'errors'],
  [
    counter(
      'system.network.packet.dropped',
      '{packet}',
      'Count of packets that are dropped or discarded even though there was no error.',
    ),
    'dropped',
  ],
];

/** Bytes, packets, errors and drops per network interface and direction, from /proc/net/dev. */
export function networkScraper(root: string, config: NetworkConfig): Scraper {
  const wanted = nameFilter(config.include, config.exclude);
  return {
    name: 'network',
    async scrape(result) {
      for (const nic of parseNetDev(await readProc(root, 'net/dev'))) {
        if (!wanted(nic.name)) continue;
        for (const direction of ['receive', 'transmit'] as const) {
          const attributes = { 'network.interface.name': nic.name, 'network.io.direction': direction };
          for (const [metric, key] of METRICS) result.observe(metric, nic[direction][key], attributes);
        }
      }
    },
  };
}
