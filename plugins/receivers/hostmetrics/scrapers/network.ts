import { ValueType } from '@opentelemetry/api';
import { type InterfaceCounters, parseNetDev } from '../procfs.js';
import { addScrape, readProc, type ScraperContext } from '../scrape.js';

/** Bytes, packets, errors and drops per network interface and direction, from /proc/net/dev. */
export function networkScraper(ctx: ScraperContext): void {
  const counter = (name: string, unit: string, description: string) =>
    ctx.meter.createObservableCounter(name, { unit, description, valueType: ValueType.INT });
  const metrics: [ReturnType<typeof counter>, keyof InterfaceCounters][] = [
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
  addScrape(
    ctx,
    'network',
    metrics.map(([instrument]) => instrument),
    async (result) => {
      for (const nic of parseNetDev(await readProc(ctx.root, 'net/dev'))) {
        for (const direction of ['receive', 'transmit'] as const) {
          const attributes = { 'network.interface.name': nic.name, 'network.io.direction': direction };
          for (const [instrument, key] of metrics)
            result.observe(instrument, nic[direction][key], attributes);
        }
      }
    },
  );
}
