import { parseLoadavg } from '../procfs.js';
import { gauge, readProc, type Scraper } from '../scrape.js';

const AVERAGES = [1, 5, 15].map((minutes) =>
  gauge(
    `system.cpu.load_average.${minutes}m`,
    '{thread}',
    `Average CPU load over the last ${minutes} minute${minutes > 1 ? 's' : ''}.`,
  ),
);

/** `system.cpu.load_average.1m`, `.5m` and `.15m` (the Collector's names) from /proc/loadavg. */
export function loadScraper(root: string): Scraper {
  return {
    name: 'load',
    async scrape(result) {
      const averages = parseLoadavg(await readProc(root, 'loadavg'));
      for (const [i, metric] of AVERAGES.entries()) result.observe(metric, averages[i] as number);
    },
  };
}
