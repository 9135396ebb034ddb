// The hostmetrics receiver as a user runs it: scraped through the `prometheus` exporter, on a host
// root whose /proc the test writes (utilization between scrapes, a scraper that cannot read), on this
// process, and with a root_path that has no /proc.
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TributaryError } from '../../../../core/errors.js';
import { freePort, type RunningPipeline, startPipeline } from '../../../../core/testing/index.js';
import { builtins } from '../../../../plugins/index.js';
import { lines, scrape } from '../../exporters/prometheus/helpers.js';

const fixtures = join(import.meta.dirname, 'fixtures/root');
let root: string;
let pipeline: RunningPipeline | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'trb-hostmetrics-'));
  await cp(fixtures, root, { recursive: true });
});

afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = undefined;
  await rm(root, { recursive: true, force: true });
});

/** hostmetrics on `root` with `scrapers` -> prometheus (with `options`) on a free port; returns the port. */
async function serve(scrapers: string, options = ''): Promise<number> {
  const port = await freePort();
  pipeline = await startPipeline(
    `receivers:
  hostmetrics: { collection_interval: 1h, root_path: ${JSON.stringify(root)}, scrapers: ${scrapers} }
exporters: { prometheus: { endpoint: "127.0.0.1:${port}"${options} } }
service: { pipelines: { metrics: { receivers: [hostmetrics], exporters: [prometheus] } } }`,
    { plugins: builtins },
  );
  return port;
}

/** /proc/stat with one CPU at these tick counts: user nice system idle iowait irq softirq steal. */
const stat = (ticks: number[]) =>
  writeFile(join(root, 'proc/stat'), `cpu  ${ticks.join(' ')} 0 0\ncpu0 ${ticks.join(' ')} 0 0\n`);

const sample = (text: string, pattern: RegExp) => lines(text).filter((l) => pattern.test(l));

describe('hostmetrics scraped through the prometheus exporter', () => {
  it('serves system_cpu_time_seconds_total as a counter and utilization over the time between collections', async () => {
    await stat([1000, 0, 500, 8000, 0, 0, 0, 0]);
    const port = await serve('{ cpu: }');
    const first = (await scrape(port)).text;
    expect(first).toContain('# TYPE system_cpu_time_seconds_total counter');
    expect(sample(first, /^system_cpu_time_seconds_total\{cpu_logical_number="0",cpu_mode="user"/)).toEqual([
      expect.stringMatching(/ 10$/),
    ]);
    // One reading is no interval: no utilization yet.
    expect(sample(first, /^system_cpu_utilization_ratio/)).toEqual([]);

    // 4 s of CPU time later: 1 s user, 3 s idle.
    await stat([1100, 0, 500, 8300, 0, 0, 0, 0]);
    const utilization = async () =>
      Object.fromEntries(
        sample((await scrape(port)).text, /^system_cpu_utilization_ratio\{cpu_logical_number="0"/).map(
          (l) => [/cpu_mode="(\w+)"/.exec(l)?.[1], Number(l.split(' ').pop())],
        ),
      );
    expect(await utilization()).toEqual({
      user: 0.25,
      nice: 0,
      system: 0,
      idle: 0.75,
      iowait: 0,
      interrupt: 0,
      steal: 0,
    });
    // A tenth of a second later is too short to measure: the last utilization stays.
    await stat([1110, 0, 500, 8300, 0, 0, 0, 0]);
    expect((await utilization()).user).toBe(0.25);
  });

  it('reports only what is there now: an interface removed since the last collection is gone', async () => {
    const port = await freePort();
    // A sink beside the exporter sees each collection a scrape causes.
    pipeline = await startPipeline(
      `receivers:
  hostmetrics: { collection_interval: 1h, root_path: ${JSON.stringify(root)}, scrapers: { network: {} } }
exporters: { prometheus: { endpoint: "127.0.0.1:${port}" }, sink: {} }
service: { pipelines: { metrics: { receivers: [hostmetrics], exporters: [prometheus, sink] } } }`,
      { plugins: builtins },
    );
    const interfaces = () => {
      const last = pipeline?.recorded.items('metrics').at(-1);
      const io = last?.scopeMetrics[0]?.metrics.find((m) => m.descriptor.name === 'system.network.io');
      return new Set(io?.dataPoints.map((p) => p.attributes['network.interface.name']));
    };
    await scrape(port);
    expect(interfaces()).toEqual(new Set(['lo', 'ifb0', 'ifb1', 'eth0']));
    const netDev = join(root, 'proc/net/dev');
    await writeFile(netDev, (await readFile(netDev, 'utf8')).replace(/^\s*eth0:.*\n/m, ''));
    await scrape(port);
    expect(interfaces()).toEqual(new Set(['lo', 'ifb0', 'ifb1']));
  });

  it('starts the host counters at boot (btime) and the process counters at its start', async () => {
    pipeline = await startPipeline(
      `receivers:
  hostmetrics: { collection_interval: 1h, root_path: ${JSON.stringify(root)}, scrapers: { cpu: {}, process: {} } }
exporters: { sink: {} }
service: { pipelines: { metrics: { receivers: [hostmetrics], exporters: [sink] } } }`,
      { plugins: builtins },
    );
    await pipeline.shutdown();
    const metrics = pipeline.recorded
      .items('metrics')
      .flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics));
    const start = (name: string) => metrics.find((m) => m.descriptor.name === name)?.dataPoints[0]?.startTime;
    // fixtures/root/proc/stat: btime 1795941775
    expect(start('system.cpu.time')).toEqual([1795941775, 0]);
    const processStart = Date.now() / 1000 - process.uptime();
    expect(Math.abs((start('process.cpu.time')?.[0] ?? 0) - processStart)).toBeLessThanOrEqual(1);
  });

  it('leaves out what one scraper cannot read and still serves the others', async () => {
    const port = await serve('{ memory: {}, load: {} }');
    await unlink(join(root, 'proc/loadavg'));
    const text = (await scrape(port)).text;
    expect(sample(text, /^system_cpu_load_average/)).toEqual([]);
    expect(sample(text, /^system_memory_limit_bytes/)).toEqual([expect.stringMatching(/ 25276502016$/)]);
  });

  it("reports this process's CPU seconds, memory, threads and open files", async () => {
    const port = await serve('{ process: {} }');
    const before = process.cpuUsage();
    const text = (await scrape(port)).text;
    const after = process.cpuUsage();
    const value = (pattern: RegExp) => Number(sample(text, pattern)[0]?.split(' ').pop());
    const user = value(/^process_cpu_time_seconds_total\{cpu_mode="user"/);
    expect(user).toBeGreaterThanOrEqual(before.user / 1e6);
    expect(user).toBeLessThanOrEqual(after.user / 1e6);
    expect(value(/^process_memory_usage_bytes/)).toBeGreaterThan(10 * 1024 * 1024);
    const status = await readFile('/proc/self/status', 'utf8');
    expect(value(/^process_thread_count/)).toBe(Number(/Threads:\s+(\d+)/.exec(status)?.[1]));
    expect(value(/^process_unix_file_descriptor_count/)).toBeGreaterThanOrEqual(3);
  });

  it('names the host in its resource, so a gateway keeps each host apart (host_name)', async () => {
    const port = await serve('{ load: {} }', ', resource_to_telemetry_conversion: true');
    expect(sample((await scrape(port)).text, /^system_cpu_load_average_1m\{/)).toEqual([
      expect.stringContaining(`host_name="${hostname()}"`),
    ]);
  });

  it('refuses to start on a root_path without /proc, naming the file and what to set', async () => {
    await rm(join(root, 'proc'), { recursive: true });
    const error = await serve('{ cpu: {} }').catch((err: TributaryError) => err);
    expect(error).toBeInstanceOf(TributaryError);
    expect((error as TributaryError).format()).toMatch(
      /TRB_RECEIVER_HOSTMETRICS_NO_PROCFS receivers\.hostmetrics: receiver "hostmetrics" failed to start: cannot read .*\/proc\/stat \(ENOENT: no such file or directory\); set root_path to where the host's \/ is mounted/,
    );
  });

  it('rejects a scraper it does not have, suggesting the nearest', async () => {
    await expect(serve('{ cpus: {} }')).rejects.toThrow(
      /TRB_CONFIG_UNKNOWN_KEY receivers\.hostmetrics\.scrapers\.cpus: .*did you mean "cpu"\?/,
    );
  });

  it('rejects a regular expression that does not compile, naming where', async () => {
    await expect(
      serve('{ filesystem: { exclude_mount_points: { mount_points: ["(unclosed"], match_type: regexp } } }'),
    ).rejects.toThrow(
      /TRB_CONFIG_INVALID_VALUE receivers\.hostmetrics\.scrapers\.filesystem\.exclude_mount_points\.mount_points\[0\]: invalid regular expression/,
    );
  });
});
