// Every shipped pipeline and the default config validate and compile with the built-ins; the MCP
// pipeline's /metrics keeps its promises.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, type RunningPipeline, startPipeline } from '../core/testing/index.js';
import { Engine } from '../main.js';
import { builtins } from '../plugins/index.js';
import { instrumentMcpServer } from '../plugins/receivers/mcp/instrument.js';
import { lines, scrape } from './plugins/exporters/prometheus/helpers.js';

const root = join(import.meta.dirname, '..');
const shipped = [
  ...readdirSync(join(root, 'pipelines')).map((f) => join('pipelines', f)),
  join('config', 'default.yaml'),
].filter((f) => f.endsWith('.yaml'));

describe('shipped configs', () => {
  it.each(shipped)('%s is valid', async (file) => {
    const { graph } = await (await Engine.fromFile(join(root, file))).validate();
    expect(graph.pipelines.size).toBeGreaterThan(0);
  });
});

describe('pipelines/mcp-server.yaml: /metrics', () => {
  let pipeline: RunningPipeline | undefined;
  let port: number;

  /** The shipped file as it is, its Prometheus endpoint on a free port and Jaeger nowhere. */
  async function start(): Promise<RunningPipeline> {
    port = await freePort();
    const env = {
      PROMETHEUS_ENDPOINT: `127.0.0.1:${port}`,
      JAEGER_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
    };
    pipeline = await startPipeline(readFileSync(join(root, 'pipelines/mcp-server.yaml'), 'utf8'), {
      plugins: builtins,
      env,
    });
    return pipeline;
  }

  afterEach(async () => {
    // Jaeger is not there: what it holds may go at once.
    await pipeline?.engine.shutdown({ timeoutMs: 100 });
    pipeline = undefined;
  });

  it("answers the engine's own metrics from the first scrape on, never an empty body", async () => {
    await start();
    for (const accept of ['text/plain', 'application/openmetrics-text; version=1.0.0']) {
      const { text } = await scrape(port, { headers: { accept } });
      expect(lines(text)).toContainEqual(
        expect.stringMatching(/^tributary_receiver_accepted_items_total\{component="selftelemetry",/),
      );
    }
  });

  it('shows a request in the next scrape, not an interval later', async () => {
    const engine = (await start()).engine;
    const server = new McpServer({ name: 'fresh', version: '1.0.0' });
    server.registerTool('ping', { description: 'answers pong' }, async () => ({
      content: [{ type: 'text', text: 'pong' }],
    }));
    instrumentMcpServer(server, engine);
    const client = new Client({ name: 'scraper', version: '1.0.0' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    await client.callTool({ name: 'ping', arguments: {} });

    const exposition = lines((await scrape(port)).text);
    expect(exposition).toContainEqual(expect.stringMatching(/^mcp_active_connections\{.*\} 1$/));
    expect(exposition).toContainEqual(
      expect.stringMatching(/^mcp_requests_total\{endpoint="ping",method="tools\/call",.*\} 1$/),
    );
    await client.close();
  });

  it("adds the guide's error tracking and latency percentiles: errors_total and latency gauges", async () => {
    const engine = (await start()).engine;
    const server = new McpServer({ name: 'errors', version: '1.0.0' });
    server.registerTool('flaky', { description: 'fails' }, async () => ({
      content: [{ type: 'text', text: 'upstream timed out' }],
      isError: true,
    }));
    instrumentMcpServer(server, engine);
    const client = new Client({ name: 'scraper', version: '1.0.0' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    for (let i = 0; i < 3; i++) await client.callTool({ name: 'flaky', arguments: {} });

    // Spans reach the connectors through the batch processor: poll the scrape until they have.
    await expect
      .poll(async () => lines((await scrape(port)).text), { timeout: 10_000 })
      .toContainEqual(expect.stringMatching(/^errors_total\{.*error_type="tool_error".*\} 3$/));
    const exposition = lines((await scrape(port)).text);
    // Counted once: the call's ERROR log is not a second error of another type.
    expect(exposition.filter((l) => l.startsWith('errors_total{'))).toHaveLength(1);
    expect(exposition).toContainEqual(
      expect.stringMatching(
        /^latency_p95_seconds\{.*gen_ai_tool_name="flaky".*mcp_method_name="tools\/call".*\} \d/,
      ),
    );
    await client.close();
  });
});
