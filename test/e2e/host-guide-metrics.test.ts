// Done when (issue 9): pipelines/host.yaml exports the monitoring guide's three resource metrics,
// checked by scraping them from its real `prometheus` exporter.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type RunningPipeline, startPipeline } from '../../core/testing/index.js';
import { builtins } from '../../plugins/index.js';
import { get, one, type Series } from './exposition.js';
import { until } from './prometheus-helpers.js';

let pipeline: RunningPipeline | undefined;
let port: number;
/** A scrape that has all three (CPU utilization needs a second reading of /proc/stat). */
let scrape: Series[];

beforeAll(async () => {
  port = await freePort();
  pipeline = await startPipeline(
    readFileSync(join(import.meta.dirname, '../../pipelines/host.yaml'), 'utf8'),
    {
      plugins: builtins,
      env: { PROMETHEUS_ENDPOINT: `127.0.0.1:${port}` },
    },
  );
  scrape = await until(
    () => get(port),
    (s) => s.some((x) => x.name === 'mcp_cpu_usage_percent'),
    20_000,
    1000,
  );
}, 30_000);

afterAll(async () => {
  await pipeline?.engine.shutdown({ timeoutMs: 1000 });
});

describe('pipelines/host.yaml', () => {
  it('exports mcp_cpu_usage_percent: one series, a percentage', () => {
    const cpu = one(scrape, 'mcp_cpu_usage_percent');
    expect(cpu).toBeGreaterThanOrEqual(0);
    expect(cpu).toBeLessThanOrEqual(100);
  });

  it('exports mcp_memory_usage_bytes: the used memory hostmetrics reports', () => {
    const used = one(scrape, 'mcp_memory_usage_bytes');
    expect(used).toBeGreaterThan(0);
    expect(used).toBe(one(scrape, 'system_memory_usage_bytes', { system_memory_state: 'used' }));
  });

  it('exports mcp_disk_usage_percent: the / filesystem utilization, in percent', () => {
    const disk = one(scrape, 'mcp_disk_usage_percent');
    expect(disk).toBeGreaterThan(0);
    expect(disk).toBeLessThanOrEqual(100);
    const ratios = scrape.filter(
      (s) =>
        s.name === 'system_filesystem_utilization_ratio' && s.labels.system_filesystem_mountpoint === '/',
    );
    expect(disk).toBeCloseTo(Math.max(...ratios.map((s) => s.value)) * 100, 6);
  });
});
