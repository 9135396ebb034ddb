// Done when (issue 7): a real Prometheus scraping pipelines/mcp-server.yaml (as shipped, with its
// scrape interval at 1 s) sees `mcp_active_connections 1` and `mcp_requests_total` within 2 s of the
// first request: the exporter serves the receivers' metrics as of each scrape.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type RunningPipeline, startPipeline } from '../../core/testing/index.js';
import { builtins } from '../../plugins/index.js';
import { instrumentMcpServer } from '../../plugins/receivers/mcp/instrument.js';
import {
  type Daemon,
  freePort,
  query,
  type Sample,
  sampleValue,
  startPrometheus,
  stopDaemon,
  until,
} from './prometheus-helpers.js';

const root = join(import.meta.dirname, '../..');
/** The promise: what a request did is in Prometheus this long after it. */
const FRESH_WITHIN_MS = 2000;

let dir: string;
let pipeline: RunningPipeline | undefined;
let prometheus: Daemon | undefined;
let api: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trb-prometheus-fresh-'));
  const [exporterPort, jaegerPort, prometheusPort] = [await freePort(), await freePort(), await freePort()];
  pipeline = await startPipeline(readFileSync(join(root, 'pipelines/mcp-server.yaml'), 'utf8'), {
    plugins: builtins,
    // No Jaeger listens there: traces are not what this test is about.
    env: {
      PROMETHEUS_ENDPOINT: `127.0.0.1:${exporterPort}`,
      JAEGER_ENDPOINT: `http://127.0.0.1:${jaegerPort}`,
    },
  });
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    stringify({
      global: { scrape_interval: '1s' },
      scrape_configs: [
        { job_name: 'mcp-server', static_configs: [{ targets: [`127.0.0.1:${exporterPort}`] }] },
      ],
    }),
  );
  api = `http://127.0.0.1:${prometheusPort}`;
  prometheus = startPrometheus(config, join(dir, 'data'), prometheusPort);
  // Prometheus scrapes the engine before any request is made.
  const up = await until(
    () => query(api, 'up{job="mcp-server"}'),
    (s) => s.length === 1 && sampleValue(s[0] as Sample) === 1,
    20_000,
  );
  if (up.length !== 1) throw new Error(`prometheus never scraped the engine:\n${prometheus.output.join('')}`);
}, 30_000);

afterAll(async () => {
  if (prometheus) await stopDaemon(prometheus);
  await pipeline?.engine.shutdown({ timeoutMs: 100 });
  if (dir) await rm(dir, { recursive: true, force: true });
}, 20_000);

describe('a real Prometheus scraping pipelines/mcp-server.yaml every second', () => {
  it('has mcp_active_connections 1 and mcp_requests_total within 2 s of the first request', async () => {
    const server = new McpServer({ name: 'fresh', version: '1.0.0' });
    server.registerTool('ping', { description: 'answers pong' }, async () => ({
      content: [{ type: 'text', text: 'pong' }],
    }));
    instrumentMcpServer(server, (pipeline as RunningPipeline).engine);
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);

    // `initialize` is the first request.
    const deadline = Date.now() + FRESH_WITHIN_MS;
    await client.connect(clientSide);
    await client.callTool({ name: 'ping', arguments: {} });
    const seen = await until(
      async () => ({
        connections: await query(api, 'mcp_active_connections{job="mcp-server"}'),
        requests: await query(api, 'mcp_requests_total{job="mcp-server",method="tools/call"}'),
      }),
      ({ connections, requests }) => connections.length > 0 && requests.length > 0,
      Math.max(0, deadline - Date.now()),
      100,
    );
    await client.close();
    expect(seen.connections.map(sampleValue)).toEqual([1]);
    expect(seen.requests.map((s) => [s.metric.endpoint, sampleValue(s)])).toEqual([['ping', 1]]);
  });
});
