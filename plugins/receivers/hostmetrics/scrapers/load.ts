import { ValueType } from '@opentelemetry/api';
import { parseLoadavg } from '../procfs.js';
import { addScrape, readProc, type ScraperContext } from '../scrape.js';

/** `system.cpu.load_average.1m`, `.5m` and `.15m` (the Collector's names) from /proc/loadavg. */
export function loadScraper(ctx: ScraperContext): void {
  const gauges = [1, 5, 15].map((minutes) =>
    ctx.meter.createObservableGauge(`system.cpu.load_average.${minutes}m`, {
      unit: '{thread}',
      description: `Average CPU load over the last ${minutes} minute${minutes > 1 ? 's' : ''}.`,
      valueType: ValueType.DOUBLE,
    }),
  );
  addScrape(ctx, 'load', gauges, async (result) => {
    const averages = parseLoadavg(await readProc(ctx.root, 'loadavg'));
    for (const [i, gauge] of gauges.entries()) result.observe(gauge, averages[i] as number);
  });
}
