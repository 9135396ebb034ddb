import { readdir, readFile } from 'node:fs/promises';
import { ValueType } from '@opentelemetry/api';
import { parseProcessStat } from '../procfs.js';
import { addScrape, type ScraperContext } from '../scrape.js';

/**
 * This process (the engine): CPU seconds, resident and virtual memory, threads, open file descriptors
 * and uptime. It reads its own /proc/self, wherever root_path points.
 */
export function processScraper(ctx: ScraperContext): void {
  const { meter } = ctx;
  const cpuTime = meter.createObservableCounter('process.cpu.time', {
    unit: 's',
    description: 'Total CPU seconds broken down by different CPU modes.',
    valueType: ValueType.DOUBLE,
  });
  const memory = meter.createObservableUpDownCounter('process.memory.usage', {
    unit: 'By',
    description: 'The amount of physical memory in use.',
    valueType: ValueType.INT,
  });
  const virtual = meter.createObservableUpDownCounter('process.memory.virtual', {
    unit: 'By',
    description: 'The amount of committed virtual memory.',
    valueType: ValueType.INT,
  });
  const threads = meter.createObservableUpDownCounter('process.thread.count', {
    unit: '{thread}',
    description: 'Process threads count.',
    valueType: ValueType.INT,
  });
  const descriptors = meter.createObservableUpDownCounter('process.unix.file_descriptor.count', {
    unit: '{file_descriptor}',
    description: 'Number of UNIX file descriptors in use by the process.',
    valueType: ValueType.INT,
  });
  const uptime = meter.createObservableGauge('process.uptime', {
    unit: 's',
    description: 'The time the process has been running.',
    valueType: ValueType.DOUBLE,
  });

  addScrape(ctx, 'process', [cpuTime, memory, virtual, threads, descriptors, uptime], async (result) => {
    const stat = parseProcessStat(await readFile('/proc/self/stat', 'utf8'));
    const fds = await readdir('/proc/self/fd');
    const cpu = process.cpuUsage();
    result.observe(cpuTime, cpu.user / 1e6, { 'cpu.mode': 'user' });
    result.observe(cpuTime, cpu.system / 1e6, { 'cpu.mode': 'system' });
    result.observe(memory, process.memoryUsage.rss());
    result.observe(virtual, stat.virtualBytes);
    result.observe(threads, stat.threads);
    // The listing itself holds one descriptor open while it reads.
    result.observe(descriptors, fds.length - 1);
    result.observe(uptime, process.uptime());
  });
}
