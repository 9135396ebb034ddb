// The hostmetrics receiver on /proc files recorded on a Linux machine (fixtures/root/proc, read through
// root_path): every metric, value and attribute is known, so parsing is checked to the last byte.
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { startPipeline } from '../../../../core/testing/index.js';
import { builtins } from '../../../../plugins/index.js';

const root = join(import.meta.dirname, 'fixtures/root');

/** Runs hostmetrics with `scrapers` (all when left out) on the fixtures; the metrics of its one collection (at shutdown). */
async function collect(scrapers?: string): Promise<ResourceMetrics[]> {
  const pipeline = await startPipeline(
    `receivers:
  hostmetrics: { collection_interval: 1h, root_path: ${JSON.stringify(root)}${scrapers ? `, scrapers: ${scrapers}` : ''} }
exporters: { sink: {} }
service: { pipelines: { metrics: { receivers: [hostmetrics], exporters: [sink] } } }`,
    { plugins: builtins },
  );
  await pipeline.shutdown();
  return pipeline.recorded.items('metrics');
}

interface Point {
  attributes: Record<string, unknown>;
  value: unknown;
}

/** The points of metric `name`, with its descriptor's unit and whether it is a monotonic sum. */
function metric(batches: ResourceMetrics[], name: string) {
  for (const rm of batches)
    for (const scope of rm.scopeMetrics)
      for (const m of scope.metrics)
        if (m.descriptor.name === name)
          return {
            unit: m.descriptor.unit,
            monotonic: 'isMonotonic' in m ? m.isMonotonic : undefined,
            points: m.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value }) as Point),
          };
  return undefined;
}

const names = (batches: ResourceMetrics[]) =>
  batches.flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name))).sort();

describe('hostmetrics on recorded /proc files', () => {
  it('reports system.cpu.time per logical CPU and mode, in seconds, as a monotonic sum', async () => {
    const cpu = metric(await collect('{ cpu: {} }'), 'system.cpu.time');
    expect(cpu?.unit).toBe('s');
    expect(cpu?.monotonic).toBe(true);
    // /proc/stat: cpu0 125367 0 31087 228783 194 0 113 133 0 0 (USER_HZ ticks: user nice system idle iowait irq softirq steal)
    expect(cpu?.points.filter((p) => p.attributes['cpu.logical_number'] === 0)).toEqual([
      { attributes: { 'cpu.logical_number': 0, 'cpu.mode': 'user' }, value: 1253.67 },
      { attributes: { 'cpu.logical_number': 0, 'cpu.mode': 'nice' }, value: 0 },
      { attributes: { 'cpu.logical_number': 0, 'cpu.mode': 'system' }, value: 310.87 },
      { attributes: { 'cpu.logical_number': 0, 'cpu.mode': 'idle' }, value: 2287.83 },
      { attributes: { 'cpu.logical_number': 0, 'cpu.mode': 'iowait' }, value: 1.94 },
      { attributes: { 'cpu.logical_number': 0, 'cpu.mode': 'interrupt' }, value: 1.13 },
      { attributes: { 'cpu.logical_number': 0, 'cpu.mode': 'steal' }, value: 1.33 },
    ]);
    expect(new Set(cpu?.points.map((p) => p.attributes['cpu.logical_number']))).toEqual(new Set([0, 1]));
  });

  it('reports memory used as MemTotal - MemAvailable, and the limit as MemTotal', async () => {
    const batches = await collect('{ memory: {} }');
    // /proc/meminfo: MemTotal 24684084 kB, MemFree 23657148 kB, MemAvailable 24198864 kB
    expect(metric(batches, 'system.memory.limit')?.points).toEqual([
      { attributes: {}, value: 24684084 * 1024 },
    ]);
    expect(metric(batches, 'system.memory.usage')?.points).toEqual([
      { attributes: { 'system.memory.state': 'used' }, value: (24684084 - 24198864) * 1024 },
      { attributes: { 'system.memory.state': 'available' }, value: 24198864 * 1024 },
      { attributes: { 'system.memory.state': 'free' }, value: 23657148 * 1024 },
    ]);
    const utilization = metric(batches, 'system.memory.utilization');
    expect(utilization?.unit).toBe('1');
    expect(utilization?.points[0]).toEqual({
      attributes: { 'system.memory.state': 'used' },
      value: (24684084 - 24198864) / 24684084,
    });
  });

  it('reports disk bytes, operations and time per device and direction from /proc/diskstats', async () => {
    const batches = await collect('{ disk: {} }');
    // vda 135000 14147 4510690 140965 52820 157064 7922248 51279 0 23444 ...
    const vda = (name: string) =>
      metric(batches, name)?.points.filter((p) => p.attributes['system.device'] === 'vda');
    expect(vda('system.disk.io')).toEqual([
      { attributes: { 'system.device': 'vda', 'disk.io.direction': 'read' }, value: 4510690 * 512 },
      { attributes: { 'system.device': 'vda', 'disk.io.direction': 'write' }, value: 7922248 * 512 },
    ]);
    expect(vda('system.disk.operations')?.map((p) => p.value)).toEqual([135000, 52820]);
    expect(vda('system.disk.merged')?.map((p) => p.value)).toEqual([14147, 157064]);
    expect(vda('system.disk.operation_time')?.map((p) => p.value)).toEqual([140.965, 51.279]);
    expect(vda('system.disk.io_time')).toEqual([{ attributes: { 'system.device': 'vda' }, value: 23.444 }]);
    expect(metric(batches, 'system.disk.io')?.monotonic).toBe(true);
    expect(
      new Set(metric(batches, 'system.disk.io')?.points.map((p) => p.attributes['system.device'])),
    ).toEqual(new Set(['vda', 'zram0', 'loop2']));
  });

  it('filters disks and interfaces by name, strictly or by regular expression', async () => {
    const devices = new Set(
      metric(
        await collect('{ disk: { exclude: { devices: ["^(loop|z?ram)[0-9]+$"], match_type: regexp } } }'),
        'system.disk.io',
      )?.points.map((p) => p.attributes['system.device']),
    );
    expect(devices).toEqual(new Set(['vda']));
    const interfaces = new Set(
      metric(
        await collect('{ network: { include: { interfaces: [eth0, lo] } } }'),
        'system.network.io',
      )?.points.map((p) => p.attributes['network.interface.name']),
    );
    expect(interfaces).toEqual(new Set(['eth0', 'lo']));
  });

  it('reports network bytes, packets, errors and drops per interface and direction from /proc/net/dev', async () => {
    const batches = await collect('{ network: {} }');
    // eth0: 1030773816 29707 0 0 ... | 2981807 20879 0 0 ...
    const eth0 = (name: string) =>
      metric(batches, name)?.points.filter((p) => p.attributes['network.interface.name'] === 'eth0');
    expect(eth0('system.network.io')).toEqual([
      {
        attributes: { 'network.interface.name': 'eth0', 'network.io.direction': 'receive' },
        value: 1030773816,
      },
      {
        attributes: { 'network.interface.name': 'eth0', 'network.io.direction': 'transmit' },
        value: 2981807,
      },
    ]);
    expect(eth0('system.network.packet.count')?.map((p) => p.value)).toEqual([29707, 20879]);
    expect(eth0('system.network.errors')?.map((p) => p.value)).toEqual([0, 0]);
    expect(eth0('system.network.packet.dropped')?.map((p) => p.value)).toEqual([0, 0]);
    expect(metric(batches, 'system.network.io')?.unit).toBe('By');
  });

  it('reports the load averages from /proc/loadavg', async () => {
    const batches = await collect('{ load: {} }');
    // 0.22 0.53 0.94 1/91 21125
    expect(
      ['1m', '5m', '15m'].map((span) => metric(batches, `system.cpu.load_average.${span}`)?.points[0]?.value),
    ).toEqual([0.22, 0.53, 0.94]);
  });

  it('reports real filesystems only by default, their states adding up to the size statfs gives', async () => {
    const batches = await collect('{ filesystem: }');
    // fixtures/root/proc/1/mounts: / is ext4 on /dev/vda; proc, sysfs, tmpfs, cgroup... are `nodev` in /proc/filesystems.
    const usage = metric(batches, 'system.filesystem.usage');
    expect(new Set(usage?.points.map((p) => p.attributes['system.filesystem.mountpoint']))).toEqual(
      new Set(['/']),
    );
    const s = await statfs(root);
    const byState = Object.fromEntries(
      (usage?.points ?? []).map((p) => [p.attributes['system.filesystem.state'], p.value as number]),
    );
    expect(byState.used + byState.free + byState.reserved).toBe(s.blocks * s.bsize);
    expect(usage?.points[0]?.attributes).toEqual({
      'system.device': '/dev/vda',
      'system.filesystem.type': 'ext4',
      'system.filesystem.mode': 'rw',
      'system.filesystem.mountpoint': '/',
      'system.filesystem.state': 'used',
    });
    expect(metric(batches, 'system.filesystem.limit')?.points[0]?.value).toBe(s.blocks * s.bsize);
  });

  it('filters filesystems by type and mount point, strictly or by regular expression', async () => {
    const mountpoints = async (config: string) =>
      new Set(
        metric(await collect(`{ filesystem: ${config} }`), 'system.filesystem.limit')?.points.map(
          (p) => p.attributes['system.filesystem.mountpoint'],
        ),
      );
    // Mount points under the fixture root that do not exist there are left out: only / and /proc are real dirs.
    expect(
      await mountpoints(
        '{ include_virtual_filesystems: true, include_fs_types: { fs_types: [proc, ext4] } }',
      ),
    ).toEqual(new Set(['/', '/proc']));
    expect(
      await mountpoints(
        '{ include_virtual_filesystems: true, exclude_mount_points: { mount_points: ["^/$", "^/(sys|dev|mnt)"], match_type: regexp } }',
      ),
    ).toEqual(new Set(['/proc']));
    expect(await mountpoints('{ exclude_fs_types: { fs_types: [ext4] } }')).toEqual(new Set());
  });

  it('runs every scraper when none is listed, this process included', async () => {
    const all = names(await collect());
    expect(all).toEqual(
      expect.arrayContaining([
        'system.cpu.time',
        'system.memory.usage',
        'system.filesystem.usage',
        'system.disk.io',
        'system.network.io',
        'system.cpu.load_average.1m',
        'process.cpu.time',
        'process.memory.usage',
      ]),
    );
  });
});
