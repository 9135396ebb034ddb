// The `prometheus` receiver and a real Prometheus scrape the same targets (node_exporter and a
// prom-client app): what the receiver passes on, read from a sink and back through the `prometheus`
// exporter (which Prometheus also scrapes), equals what Prometheus stores, asked through its API.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type RunningPipeline, startPipeline } from '../../core/testing/index.js';
import { builtins } from '../../plugins/index.js';
import {
  promClientApp,
  type Samples,
  samplesOf,
  seriesKey,
  serving,
  startTarget,
  type Target,
} from '../plugins/receivers/prometheus/helpers.js';
import {
  type Daemon,
  ports,
  query,
  type Sample,
  startDaemon,
  startPrometheus,
  stopDaemon,
  until,
} from './prometheus-helpers.js';

let dir: string;
let pipeline: RunningPipeline;
let app: Target;
const fixtures: Target[] = [];
let prometheus: string;
let nodeAddress: string;
const daemons: Daemon[] = [];

const FIXTURES: [file: string, contentType: string][] = [
  ['alltypes.237mfs.prom.txt', 'text/plain; version=0.0.4; charset=utf-8'],
  ['alltypes.5mfs.om.txt', 'application/openmetrics-text; version=1.0.0; charset=utf-8'],
];

/** node_exporter series that do not move while the test runs. */
const NODE_STABLE = 'node_memory_MemTotal_bytes|node_filesystem_size_bytes|node_uname_info';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trb-prom-receiver-e2e-'));
  const [nodePort, exporterPort, prometheusPort] = (await ports(3)) as [number, number, number];
  const registry = promClientApp();
  app = await startTarget(serving(await registry.metrics(), registry.contentType));
  nodeAddress = `127.0.0.1:${nodePort}`;
  daemons.push(
    startDaemon('prometheus-node-exporter', [
      `--web.listen-address=${nodeAddress}`,
      '--collector.disable-defaults',
      '--collector.meminfo',
      '--collector.filesystem',
      '--collector.uname',
      '--collector.loadavg',
    ]),
  );
  // Prometheus's own parser test files, served as a target would: Prometheus parses them, and so do we.
  for (const [file, type] of FIXTURES) {
    const body = await readFile(
      new URL(`../fixtures/prometheus-exposition/${file}`, import.meta.url),
      'utf8',
    );
    fixtures.push(await startTarget(serving(body, type)));
  }
  const jobs = [
    { job_name: 'app', static_configs: [{ targets: [app.address] }] },
    { job_name: 'node', static_configs: [{ targets: [nodeAddress] }] },
    ...FIXTURES.map(([file], i) => ({
      job_name: file,
      static_configs: [{ targets: [fixtures[i]?.address] }],
    })),
  ];
  pipeline = await startPipeline(
    stringify({
      receivers: {
        prometheus: {
          config: { global: { scrape_interval: '1s', scrape_timeout: '1s' }, scrape_configs: jobs },
        },
      },
      exporters: { sink: {}, prometheus: { endpoint: `127.0.0.1:${exporterPort}` } },
      service: { pipelines: { metrics: { receivers: ['prometheus'], exporters: ['sink', 'prometheus'] } } },
    }),
    { plugins: builtins },
  );
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    stringify({
      global: { scrape_interval: '1s', scrape_timeout: '1s' },
      // The same targets, and what our exporter serves of them (job/instance there become exported_*).
      scrape_configs: [
        ...jobs,
        { job_name: 'tributary', static_configs: [{ targets: [`127.0.0.1:${exporterPort}`] }] },
      ],
    }),
  );
  prometheus = `http://127.0.0.1:${prometheusPort}`;
  const server = startPrometheus(config, join(dir, 'data'), prometheusPort);
  daemons.push(server);
  const up = await until(
    () => query(prometheus, 'up{exported_job=""}'),
    (samples) => samples.length === 5 && samples.every((s) => s.value[1] === '1'),
    25_000,
  );
  if (up.length !== 5) throw new Error(`targets not up: ${JSON.stringify(up)}\n${server.output.join('')}`);
}, 40_000);

afterAll(async () => {
  await Promise.all(daemons.map(stopDaemon));
  await pipeline?.shutdown();
  await app?.close();
  for (const f of fixtures) await f.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 20_000);

/** Prometheus's samples as `name{labels}` -> value; `rename` maps label names (exported_job -> job). */
function stored(samples: Sample[], rename: Record<string, string> = {}): Samples {
  const out: Samples = new Map();
  for (const s of samples) {
    const { __name__: name, ...labels } = s.metric;
    const renamed: Record<string, string> = {};
    const replaced = new Set(Object.values(rename));
    for (const [k, v] of Object.entries(labels)) if (!replaced.has(k)) renamed[rename[k] ?? k] = v;
    out.set(seriesKey(name as string, renamed), Number(s.value[1]));
  }
  return out;
}

/** The newest sink batch's samples of `job` whose name matches `names`. */
function passedOn(job: string, names: RegExp): Samples {
  const batches = pipeline.recorded.of('metrics');
  for (let i = batches.length - 1; i >= 0; i--) {
    const batch = batches[i] ?? [];
    if (batch[0]?.resource.attributes['service.name'] !== job) continue;
    return new Map([...samplesOf(batch)].filter(([key]) => names.test(key.slice(0, key.indexOf('{')))));
  }
  return new Map();
}

const SCRAPE_NAMES = /^(up|scrape_[a-z_]+)\{/;
const APP_SERIES = /^(app_.*|up|scrape_samples_scraped)$/;
const NODE_SERIES = new RegExp(`^(${NODE_STABLE})$`);
const FROM_EXPORTER = { exported_job: 'job', exported_instance: 'instance' };

describe('the prometheus receiver and Prometheus scrape the same targets', () => {
  it('the prom-client app: every series, its labels and value, as Prometheus stores them', async () => {
    const expr = '{job="app",__name__=~"app_.*|up|scrape_samples_scraped"}';
    const direct = stored(await query(prometheus, expr));
    expect(direct.size).toBe(17); // 2 counter, 1 gauge, 7 histogram, 5 summary series, up, scrape_samples_scraped
    expect(passedOn('app', APP_SERIES)).toEqual(direct);

    const through = await until(
      async () => stored(await query(prometheus, '{job="tributary",exported_job="app"}'), FROM_EXPORTER),
      (samples) => samples.size >= direct.size,
    );
    expect(new Map([...through].filter(([key]) => APP_SERIES.test(key.slice(0, key.indexOf('{')))))).toEqual(
      direct,
    );
  });

  it("node_exporter's stable series: memory, filesystem sizes, uname labels", async () => {
    const direct = stored(await query(prometheus, `{job="node",__name__=~"${NODE_STABLE}"}`));
    expect([...direct.keys()].some((k) => k.startsWith('node_filesystem_size_bytes{'))).toBe(true);
    expect([...direct.keys()].some((k) => k.startsWith('node_uname_info{'))).toBe(true);
    expect(passedOn('node', NODE_SERIES)).toEqual(direct);

    const through = await until(
      async () =>
        stored(
          await query(prometheus, `{job="tributary",exported_job="node",__name__=~"${NODE_STABLE}"}`),
          FROM_EXPORTER,
        ),
      (samples) => samples.size >= direct.size,
    );
    expect(through).toEqual(direct);
  });

  it.each(FIXTURES.map(([file]) => file))(
    "Prometheus's test file %s: every series, label and value as Prometheus parses it",
    async (job) => {
      // Bounds as numbers: the text keeps `le="1.0"` as a Go client wrote it, OpenTelemetry keeps 1.
      const sameLe = (samples: Samples) =>
        new Map(
          [...samples].map(([key, v]) => [
            key.replace(/le="([^"]+)"/, (_m, le) => `le="${le === '+Inf' ? le : Number(le)}"`),
            v,
          ]),
        );
      const all = stored(await query(prometheus, `{job="${job}"}`));
      // Prometheus 2 stores OpenMetrics `_created` samples as series; the receiver makes them start times.
      const direct = new Map(
        [...all].filter(([key]) => !/^[^{]*_created\{/.test(key) && !SCRAPE_NAMES.test(key)),
      );
      expect(direct.size).toBeGreaterThan(20);
      expect(sameLe(passedOn(job, /^(?!up$|scrape_)/))).toEqual(sameLe(direct));
      const counts = stored(await query(prometheus, `{job="${job}",__name__=~"up|scrape_samples_scraped"}`));
      expect(passedOn(job, /^(up|scrape_samples_scraped)$/)).toEqual(counts);
    },
  );

  it('up and scrape_samples_scraped of node_exporter agree with Prometheus', async () => {
    const direct = stored(await query(prometheus, '{job="node",__name__=~"up|scrape_samples_scraped"}'));
    const ours = passedOn('node', /^(up|scrape_samples_scraped)$/);
    expect(ours).toEqual(direct);
  });
});
