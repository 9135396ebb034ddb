import { ValueType } from '@opentelemetry/api';
import type { DiskConfig } from '../config.js';
import { nameFilter } from '../filter.js';
import { parseDiskstats } from '../procfs.js';
import { counter, readProc, type Scraper } from '../scrape.js';

const IO = counter('system.disk.io', 'By', 'Disk bytes transferred.');
const OPERATIONS = counter('system.disk.operations', '{operation}', 'Disk operations count.');
const MERGED = counter(
  'system.disk.merged',
  '{operation}',
  'The number of disk reads/writes merged into single physical disk access operations.',
);
const OPERATION_TIME = counter(
  'system.disk.operation_time',
  's',
  'Sum of the time each operation took to complete.',
  ValueType.DOUBLE,
);
const IO_TIME = counter('system.disk.io_time', 's', 'Time disk spent activated.', ValueType.DOUBLE);

/** Bytes, operations, merges and time per block device and direction, from /proc/diskstats. */
export function diskScraper(root: string, config: DiskConfig): Scraper {
  const wanted = nameFilter(config.include, config.exclude);
  return {
    name: 'disk',
    async scrape(result) {
      for (const d of parseDiskstats(await readProc(root, 'diskstats'))) {
        if (!wanted(d.device)) continue;
        const read = { 'system.device': d.device, 'disk.io.direction': 'read' };
        const write = { 'system.device': d.device, 'disk.io.direction': 'write' };
        result.observe(IO, d.readBytes, read);
        result.observe(IO, d.writtenBytes, write);
        result.observe(OPERATIONS, d.reads, read);
        result.observe(OPERATIONS, d.writes, write);
        result.observe(MERGED, d.readsMerged, read);
        result.observe(MERGED, d.writesMerged, write);
        result.observe(OPERATION_TIME, d.readSeconds, read);
        result.observe(OPERATION_TIME, d.writeSeconds, write);
        result.observe(IO_TIME, d.ioSeconds, { 'system.device': d.device });
      }
    },
  };
}
