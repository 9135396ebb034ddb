// Done when (issue 4): a real Prometheus scrapes a running pipeline (mcp receiver -> prometheus exporter)
// fed by real MCP traffic, and node_exporter; its HTTP API answers the monitoring guide's queries, every
// query of examples/grafana/mcp-dashboard.json and the guide's alert rules; promtool accepts
// examples/prometheus/.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type RunningPipeline, startPipeline } from '../../core/testing/index.js';
import { builtins } from '../../plugins/index.js';
import { instrumentMcpServer } from '../../plugins/receivers/mcp/instrument.js';
import { DURATION_BUCKETS } from '../../plugins/receivers/mcp/semconv.js';
import {
  type Daemon,
  getJson,
  ports,
  promtool,
  query,
  type Sample,
  sampleValue,
  startDaemon,
  startPrometheus,
  stopDaemon,
  until,
} from './prometheus-helpers.js';

const root = join(import.meta.dirname, '../..');
const EXAMPLES = join(root, 'examples/prometheus');
const DASHBOARD = join(root, 'examples/grafana/mcp-dashboard.json');
/** Tool latencies we produce: most calls fast, one in four slow, so the true p95 is a slow call. */
const TOOLS = { fast: 50, slow: 300 } as const;
const ROUND = ['fast', 'fast', 'broken', 'slow'] as const;

let dir: string;
let pipeline: RunningPipeline | undefined;
let client: Client | undefined;
const daemons: Daemon[] = [];
let prometheus: string;
let stopTraffic = false;
let traffic: Promise<void> = Promise.resolve();
/** Client-side duration of every tools/call, in seconds. */
const latencies: number[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function mcpServer(): McpServer {
  const server = new McpServer({ name: 'e2e-server', version: '1.0.0' });
  for (const [name, ms] of Object.entries(TOOLS)) {
    server.registerTool(name, { description: `answers after ${ms} ms` }, async () => {
      await sleep(ms);
      return { content: [{ type: 'text', text: name }] };
    });
  }
  server.registerTool('broken', { description: 'always fails' }, async () => ({
    isError: true,
    content: [{ type: 'text', text: 'upstream said no' }],
  }));
  return server;
}

/** Calls the tools round after round until the test is done. */
async function drive(mcp: Client): Promise<void> {
  while (!stopTraffic) {
    for (const name of ROUND) {
      const start = performance.now();
      await mcp.callTool({ name, arguments: {} });
      latencies.push((performance.now() - start) / 1000);
    }
  }
}

/** Our example scrape config with its targets on this run's ports, 1 s intervals and absolute rule paths. */
async function prometheusConfig(exporterPort: number, nodePort: number): Promise<string> {
  const config = parse(await readFile(join(EXAMPLES, 'prometheus.yml'), 'utf8'));
  config.global = { ...config.global, scrape_interval: '1s', evaluation_interval: '1s' };
  config.rule_files = (config.rule_files as string[]).map((file) => join(EXAMPLES, file));
  const targets: Record<string, number> = { 'mcp-server': exporterPort, node: nodePort };
  for (const job of config.scrape_configs as {
    job_name: string;
    static_configs: { targets: string[] }[];
  }[]) {
    const port = targets[job.job_name];
    if (port === undefined)
      throw new Error(`examples/prometheus/prometheus.yml: unexpected job ${job.job_name}`);
    job.static_configs = [{ targets: [`127.0.0.1:${port}`] }];
    delete targets[job.job_name];
  }
  expect(Object.keys(targets), 'jobs missing from examples/prometheus/prometheus.yml').toEqual([]);
  const file = join(dir, 'prometheus.yml');
  await writeFile(file, stringify(config));
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trb-prometheus-e2e-'));
  const [exporterPort, nodePort, prometheusPort] = (await ports(3)) as [number, number, number];

  pipeline = await startPipeline(
    `receivers:
  mcp: { collection_interval: 200ms }
  selftelemetry: { collection_interval: 200ms }
connectors:
  errortracking: {}
  percentiles: {}
exporters:
  prometheus: { endpoint: "127.0.0.1:${exporterPort}" }
service:
  pipelines:
    traces: { receivers: [mcp], exporters: [errortracking, percentiles] }
    metrics: { receivers: [mcp, selftelemetry, errortracking, percentiles], exporters: [prometheus] }
`,
    { plugins: builtins },
  );
  const server = instrumentMcpServer(mcpServer(), pipeline.engine);
  client = new Client({ name: 'e2e-client', version: '1.0.0' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  traffic = drive(client);

  daemons.push(startDaemon('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${nodePort}`]));
  const config = await prometheusConfig(exporterPort, nodePort);
  prometheus = `http://127.0.0.1:${prometheusPort}`;
  const server9090 = startPrometheus(config, join(dir, 'data'), prometheusPort);
  daemons.push(server9090);
  const ready = await until(
    async () => (await fetch(`${prometheus}/-/ready`, { signal: AbortSignal.timeout(1000) })).status,
    (status) => status === 200,
    20_000,
  );
  if (ready !== 200) throw new Error(`prometheus did not become ready:\n${server9090.output.join('')}`);
}, 30_000);

afterAll(async () => {
  stopTraffic = true;
  await traffic.catch(() => {});
  await client?.close();
  await Promise.all(daemons.map(stopDaemon));
  await pipeline?.shutdown();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 20_000);

/** Polls an instant query until `done` holds for its samples (25 s at most); returns the last result. */
const eventually = (expr: string, done: (samples: Sample[]) => boolean) =>
  until(() => query(prometheus, expr), done);
const finite = (samples: Sample[]) => samples.some((s) => Number.isFinite(sampleValue(s)));

describe('Prometheus scraping a pipeline fed by MCP traffic', () => {
  it('scrapes the exporter (in OpenMetrics, as Prometheus asks) and node_exporter, both up', async () => {
    type Targets = {
      data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] };
    };
    const targets = await until(
      () => getJson<Targets>(`${prometheus}/api/v1/targets`),
      (t) => t.data.activeTargets.length === 2 && t.data.activeTargets.every((a) => a.health === 'up'),
    );
    expect(
      targets.data.activeTargets
        .map((t) => ({ job: t.labels.job, health: t.health, error: t.lastError }))
        .sort((a, b) => a.job.localeCompare(b.job)),
    ).toEqual([
      { job: 'mcp-server', health: 'up', error: '' },
      { job: 'node', health: 'up', error: '' },
    ]);
    expect(sampleValue((await query(prometheus, 'up{job="mcp-server"}'))[0] as Sample)).toBe(1);
    // Our own counter says which format Prometheus's scrapes got: its OpenMetrics parser took them.
    const scrapes = await eventually(
      'tributary_exporter_prometheus_scrapes_total{job="mcp-server",format="openmetrics"}',
      (s) => s.length > 0 && sampleValue(s[0] as Sample) > 0,
    );
    expect(scrapes.length).toBe(1);
  });

  it('answers mcp_requests_total by method and tool', async () => {
    const requests = await eventually('mcp_requests_total{method="tools/call"}', (s) => s.length === 3);
    expect(requests.map((s) => s.metric.endpoint).sort()).toEqual(['broken', 'fast', 'slow']);
    expect(requests[0]?.metric).toMatchObject({
      __name__: 'mcp_requests_total',
      job: 'mcp-server',
      exported_job: 'mcp-server',
      otel_scope_name: 'tributary-mcp',
    });
    expect(requests.every((s) => sampleValue(s) > 0)).toBe(true);
  });

  it('gives a p95 from histogram_quantile inside the bucket that holds the true p95 of our latencies', async () => {
    const expr = 'histogram_quantile(0.95, rate(mcp_request_duration_seconds_bucket[1m]))';
    const result = await eventually(expr, (s) =>
      s.some((x) => x.metric.method === 'tools/call' && Number.isFinite(sampleValue(x))),
    );
    const p95 = sampleValue(result.find((s) => s.metric.method === 'tools/call') as Sample);

    const sorted = [...latencies].sort((a, b) => a - b);
    const truth = sorted[Math.ceil(0.95 * sorted.length) - 1] as number;
    const upper = DURATION_BUCKETS.find((bound) => truth <= bound) as number;
    const lower = DURATION_BUCKETS[DURATION_BUCKETS.indexOf(upper) - 1] ?? 0;
    // One call in four sleeps 300 ms, so the true p95 is a slow call.
    expect(truth).toBeGreaterThanOrEqual(TOOLS.slow / 1000);
    expect(p95).toBeGreaterThanOrEqual(lower);
    expect(p95).toBeLessThanOrEqual(upper);
  });

  it('returns data for every query of the Grafana dashboard', async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) =>
      (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
    );
    expect(exprs.length).toBeGreaterThanOrEqual(12);
    const answers = await Promise.all(
      exprs.map(async ({ panel, expr }) => {
        const promql = expr.replaceAll('$__rate_interval', '1m').replaceAll('$__interval', '15s');
        return { panel, expr: promql, data: finite(await eventually(promql, finite)) };
      }),
    );
    expect(answers.filter((a) => !a.data)).toEqual([]);
  });

  it("evaluates the guide's alert rules on the live series: the tool errors make HighErrorRate pending", async () => {
    type Rules = {
      data: {
        groups: {
          name: string;
          rules: { name: string; health: string; state: string; lastError?: string }[];
        }[];
      };
    };
    const rules = await until(
      () => getJson<Rules>(`${prometheus}/api/v1/rules?type=alert`),
      (r) => r.data.groups[0]?.rules.find((rule) => rule.name === 'HighErrorRate')?.state === 'pending',
    );
    expect(rules.data.groups.map((g) => g.name)).toEqual(['mcp_server_alerts']);
    expect(
      rules.data.groups[0]?.rules.map((r) => ({ name: r.name, health: r.health, state: r.state })),
    ).toEqual([
      { name: 'HighErrorRate', health: 'ok', state: 'pending' }, // `for: 2m` has not passed yet
      { name: 'HighResponseTime', health: 'ok', state: 'inactive' },
      { name: 'ServerDown', health: 'ok', state: 'inactive' },
    ]);
  });
});

describe('examples/prometheus with promtool', () => {
  it('check config accepts prometheus.yml and the rules it names', async () => {
    const { code, output } = await promtool(['check', 'config', join(EXAMPLES, 'prometheus.yml')]);
    expect(output).toContain('SUCCESS: 1 rule files found');
    expect(code).toBe(0);
  });

  it("check rules accepts the guide's three alert rules", async () => {
    const { code, output } = await promtool(['check', 'rules', join(EXAMPLES, 'mcp-alerts.rules.yaml')]);
    expect(output).toContain('SUCCESS: 3 rules found');
    expect(code).toBe(0);
  });

  it('test rules passes the rule unit tests', async () => {
    const { code, output } = await promtool(['test', 'rules', join(EXAMPLES, 'mcp-alerts.test.yaml')]);
    expect(output).toContain('SUCCESS');
    expect(code).toBe(0);
  });
});
