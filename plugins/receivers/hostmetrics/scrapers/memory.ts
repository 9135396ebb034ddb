import { parseMeminfo } from '../procfs.js';
import { gauge, readProc, type Scraper, upDownCounter } from '../scrape.js';

const USAGE = upDownCounter('system.memory.usage', 'By', 'Reports memory in use by state.');
const LIMIT = upDownCounter('system.memory.limit', 'By', 'Total memory available in the system.');
const UTILIZATION = gauge('system.memory.utilization', '1', 'Fraction of memory bytes by state.');

/**
 * `system.memory.usage` and `system.memory.utilization` by `system.memory.state`, and `system.memory.limit`,
 * from /proc/meminfo. `used` is MemTotal - MemAvailable, so `used` + `available` = limit as the semantic
 * conventions ask (node_exporter users compute the same from `node_memory_MemAvailable_bytes`).
 */
export function memoryScraper(root: string): Scraper {
  return {
    name: 'memory',
    async scrape(result) {
      const info = parseMeminfo(await readProc(root, 'meminfo'));
      const total = info.get('MemTotal');
      const available = info.get('MemAvailable');
      const free = info.get('MemFree');
      if (total === undefined || available === undefined || free === undefined)
        throw new Error(
          '/proc/meminfo has no MemTotal, MemAvailable or MemFree (Linux 3.14 or later has them)',
        );
      result.observe(LIMIT, total);
      const states: [string, number][] = [
        ['used', total - available],
        ['available', available],
        ['free', free],
      ];
      for (const [state, bytes] of states) {
        result.observe(USAGE, bytes, { 'system.memory.state': state });
        if (total > 0) result.observe(UTILIZATION, bytes / total, { 'system.memory.state': state });
      }
    },
  };
}
