import { ValueType } from '@opentelemetry/api';
import { parseDiskstats } from '../procfs.js';
import { addScrape, readProc, type ScraperContext } from '../scrape.js';

/** Bytes, operations, merges and time per block device and direction, from /proc/diskstats. */
export function diskScraper(ctx: ScraperContext): void {
  const counter = (name: string, unit: string, description: string, valueType = ValueType.INT) =>
    ctx.meter.createObservableCounter(name, { unit, description, valueType });
  const io = counter('system.disk.io', 'By', 'Disk bytes transferred.');
  const operations = counter('system.disk.operations', '{operation}', 'Disk operations count.');
  const merged = counter(
    'system.disk.merged',
    '{operation}',
    'The number of disk reads/writes merged into single physical disk access operations.',
  );
  const operationTime = counter(
    'system.disk.operation_time',
    's',
    'Sum of the time each operation took to complete.',
    ValueType.DOUBLE,
  );
  const ioTime = counter('system.disk.io_time', 's', 'Time disk spent activated.', ValueType.DOUBLE);

  addScrape(ctx, 'disk', [io, operations, merged, operationTime, ioTime], async (result) => {
    for (const d of parseDiskstats(await readProc(ctx.root, 'diskstats'))) {
      const read = { 'system.device': d.device, 'disk.io.direction': 'read' };
      const write = { 'system.device': d.device, 'disk.io.direction': 'write' };
      result.observe(io, d.readBytes, read);
      result.observe(io, d.writtenBytes, write);
      result.observe(operations, d.reads, read);
      result.observe(operations, d.writes, write);
      result.observe(merged, d.readsMerged, read);
      result.observe(merged, d.writesMerged, write);
      result.observe(operationTime, d.readSeconds, read);
      result.observe(operationTime, d.writeSeconds, write);
      result.observe(ioTime, d.ioSeconds, { 'system.device': d.device });
    }
  });
}
