// The example as a user runs it: `node server.js`, importing the package by name.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { freePort } from 'tributary-telemetry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = join(import.meta.dirname, '..');
const selfImport = join(here, '../../test/fixtures/self-import.mjs');
let server: ChildProcess;
let base: string;

beforeAll(async () => {
  const [port, metricsPort, healthPort] = [await freePort(), await freePort(), await freePort()];
  server = spawn(process.execPath, ['--import', selfImport, join(here, 'server.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      TRIBUTARY_PROMETHEUS_PORT: String(metricsPort),
      TRIBUTARY_HEALTH_PORT: String(healthPort),
    },
    stdio: 'ignore',
  });
  base = `http://127.0.0.1:${port}`;
  for (let tries = 0; tries < 100; tries++) {
    if (
      await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the example server did not start');
});

afterAll(async () => {
  const exited = new Promise((resolve) => server.on('exit', resolve));
  server.kill('SIGTERM');
  await exited;
});

describe('examples/embedding-mcp-server', () => {
  it("serves the guide's /health and /ready", async () => {
    expect(await (await fetch(`${base}/health`)).json()).toMatchObject({
      status: 'healthy',
      version: '1.0.0',
      uptime: expect.any(Number),
    });
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('answers MCP tool calls and exposes their metrics on /metrics', async () => {
    const client = new Client({ name: 'example-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    expect(await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).toMatchObject({
      content: [{ type: 'text', text: '5' }],
    });
    await client.callTool({ name: 'search_docs', arguments: { query: 'metrics' } });
    await client.close();
    // Each scrape collects the mcp receiver first; the hooks record a request just after its response.
    await expect
      .poll(async () => (await fetch(`${base}/metrics`)).text(), { timeout: 20_000, interval: 500 })
      .toMatch(
        /mcp_requests_total\{[^}]*endpoint="add"[^}]*method="tools\/call"[^}]*\} 1|mcp_requests_total\{[^}]*method="tools\/call"[^}]*endpoint="add"[^}]*\} 1/,
      );
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('mcp_request_duration_seconds_bucket');
    expect(metrics).toMatch(/mcp_active_connections/);
  });
});
