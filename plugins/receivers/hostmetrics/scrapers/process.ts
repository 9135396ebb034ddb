import { readdir, readFile } from 'node:fs/promises';
import { ValueType } from '@opentelemetry/api';
import { parseProcessStat } from '../procfs.js';
import { counter, gauge, type Scraper, upDownCounter } from '../scrape.js';

const CPU_TIME = counter(
  'process.cpu.time',
  's',
  'Total CPU seconds broken down by different CPU modes.',
  ValueType.DOUBLE,
);
const MEMORY = upDownCounter('process.memory.usage', 'By', 'The amount of physical memory in use.');
const VIRTUAL = upDownCounter('process.memory.virtual', 'By', 'The amount of committed virtual memory.');
const THREADS = upDownCounter('process.thread.count', '{thread}', 'Process threads count.');
const DESCRIPTORS = upDownCounter(
  'process.unix.file_descriptor.count',
  '{file_descriptor}',
  'Number of UNIX file descriptors in use by the process.',
);
const UPTIME = gauge('process.uptime', 's', 'The time the process has been running.');

/**
 * This process (the engine): CPU seconds, resident and virtual memory, threads, open file descriptors
 * and uptime. It reads its own /proc/self, wherever root_path points.
 */
export function processScraper(): Scraper {
  return {
    name: 'process',
    counts: 'since-process-start',
    async scrape(result) {
      const stat = parseProcessStat(await readFile('/proc/self/stat', 'utf8'));
      const fds = await readdir('/proc/self/fd');
      const cpu = process.cpuUsage();
      result.observe(CPU_TIME, cpu.user / 1e6, { 'cpu.mode': 'user' });
      result.observe(CPU_TIME, cpu.system / 1e6, { 'cpu.mode': 'system' });
      result.observe(MEMORY, process.memoryUsage.rss());
      result.observe(VIRTUAL, stat.virtualBytes);
      result.observe(THREADS, stat.threads);
      // The listing itself holds one descriptor open while it reads.
      result.observe(DESCRIPTORS, fds.length - 1);
      result.observe(UPTIME, process.uptime());
    },
  };
}
