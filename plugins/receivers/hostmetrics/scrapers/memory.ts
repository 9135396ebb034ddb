import { ValueType } from '@opentelemetry/api';
import { parseMeminfo } from '../procfs.js';
import { addScrape, readProc, type ScraperContext } from '../scrape.js';

/**
 * `system.memory.usage` and `system.memory.utilization` by `system.memory.state`, and `system.memory.limit`,
 * from /proc/meminfo. `used` is MemTotal - MemAvailable, so `used` + `available` = limit as the semantic
 * conventions ask (node_exporter users compute the same from `node_memory_MemAvailable_bytes`).
 */
export function memoryScraper(ctx: ScraperContext): void {
  const usage = ctx.meter.createObservableUpDownCounter('system.memory.usage', {
    unit: 'By',
    description: 'Reports memory in use by state.',
    valueType: ValueType.INT,
  });
  const limit = ctx.meter.createObservableUpDownCounter('system.memory.limit', {
    unit: 'By',
    description: 'Total memory available in the system.',
    valueType: ValueType.INT,
  });
  const utilization = ctx.meter.createObservableGauge('system.memory.utilization', {
    unit: '1',
    description: 'Fraction of memory bytes by state.',
    valueType: ValueType.DOUBLE,
  });
  addScrape(ctx, 'memory', [usage, limit, utilization], async (result) => {
    const info = parseMeminfo(await readProc(ctx.root, 'meminfo'));
    const total = info.get('MemTotal');
    const available = info.get('MemAvailable');
    const free = info.get('MemFree');
    if (total === undefined || available === undefined || free === undefined)
      throw new Error(
        '/proc/meminfo has no MemTotal, MemAvailable or MemFree (Linux 3.14 or later has them)',
      );
    result.observe(limit, total);
    const states: [string, number][] = [
      ['used', total - available],
      ['available', available],
      ['free', free],
    ];
    for (const [state, bytes] of states) {
      result.observe(usage, bytes, { 'system.memory.state': state });
      if (total > 0) result.observe(utilization, bytes / total, { 'system.memory.state': state });
    }
  });
}
