// `tributary mcp-proxy` as a user runs it (the built CLI), in front of server-everything, with the MCP
// SDK's own client: every result equals a direct connection's, and the file exporter holds the spans,
// metrics and logs the mcp receiver documents.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../core/testing/index.js';

const root = join(import.meta.dirname, '../..');
const EVERYTHING = join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const CLI = join(root, 'dist/cli.js');

type Line = Record<string, unknown> & { attributes?: Record<string, unknown> };

async function proxyConfig(): Promise<{ config: string; out: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'trb-mcp-proxy-'));
  const out = join(dir, 'telemetry.jsonl');
  const config = join(dir, 'proxy.yaml');
  await writeFile(
    config,
    `receivers: { mcp: }
exporters: { file: { path: ${out} } }
service:
  pipelines:
    traces: { receivers: [mcp], exporters: [file] }
    metrics: { receivers: [mcp], exporters: [file] }
    logs: { receivers: [mcp], exporters: [file] }
`,
  );
  return { config, out };
}

/** The calls a user makes, and what came back. */
async function session(client: Client) {
  const tools = await client.listTools();
  return {
    tools: tools.tools.map((t) => t.name).sort(),
    echo: await client.callTool({ name: 'echo', arguments: { message: 'through the proxy' } }),
    sum: await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 40 } }),
    bad: await client
      .callTool({ name: 'get-sum', arguments: { a: 'x' } })
      .catch((err: Error) => ({ error: err.message })),
    prompts: (await client.listPrompts()).prompts.map((p) => p.name).sort(),
    resources: (await client.listResources()).resources.length,
  };
}

const lines = async (path: string): Promise<Line[]> =>
  (await readFile(path, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

function checkTelemetry(all: Line[], transport: 'pipe' | 'tcp') {
  const span = all.find(
    (l) =>
      l.name === 'tools/call get-sum' &&
      l.kind === 'SERVER' &&
      (l.status as { code: string }).code === 'UNSET',
  );
  expect(span?.attributes).toMatchObject({
    'mcp.method.name': 'tools/call',
    'gen_ai.tool.name': 'get-sum',
    'gen_ai.operation.name': 'execute_tool',
    'network.transport': transport,
    'mcp.protocol.version': expect.any(String),
  });
  const completed = all.find((l) => l.message === 'Request completed' && l.tool_name === 'echo');
  expect(completed).toMatchObject({
    level: 'INFO',
    status: 'success',
    method: 'tools/call',
    response_size: expect.any(Number),
  });
  const requests = all.filter((l) => l.name === 'mcp_requests_total');
  expect(
    requests.find((p) => p.attributes?.method === 'tools/call' && p.attributes?.endpoint === 'get-sum')
      ?.value,
  ).toBe(2);
  expect(requests.find((p) => p.attributes?.method === 'tools/list')?.value).toBe(1);
  const tools = all.filter((l) => l.name === 'mcp_tool_executions_total');
  expect(tools.find((p) => p.attributes?.tool === 'echo' && p.attributes?.status === 'success')?.value).toBe(
    1,
  );
  const durations = all.filter(
    (l) => l.name === 'mcp_request_duration_seconds' && l.attributes?.method === 'tools/call',
  );
  expect(durations.at(-1)).toMatchObject({ type: 'histogram', count: 3 });
}

describe('tributary mcp-proxy with server-everything', () => {
  it('stdio: results equal a direct connection, telemetry in the file exporter', {
    timeout: 60_000,
  }, async () => {
    const direct = new Client({ name: 'direct', version: '1.0.0' });
    await direct.connect(
      new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], stderr: 'ignore' }),
    );
    const expected = await session(direct);
    await direct.close();

    const { config, out } = await proxyConfig();
    const proxied = new Client({ name: 'proxied', version: '1.0.0' });
    await proxied.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI, 'mcp-proxy', '--config', config, '--', process.execPath, EVERYTHING, 'stdio'],
        stderr: 'ignore',
      }),
    );
    expect(await session(proxied)).toEqual(expected);
    await proxied.close();
    await expect
      .poll(async () => (await lines(out)).some((l) => l.name === 'mcp_requests_total'), { timeout: 20_000 })
      .toBe(true);
    checkTelemetry(await lines(out), 'pipe');
  });

  it('Streamable HTTP: results equal a direct connection, telemetry in the file exporter', {
    timeout: 60_000,
  }, async () => {
    const serverPort = await freePort();
    const server = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
      env: { ...process.env, PORT: String(serverPort) },
      stdio: 'ignore',
    });
    const { config, out } = await proxyConfig();
    const proxyPort = await freePort();
    const upstream = `http://127.0.0.1:${serverPort}/mcp`;
    const proxy = spawn(
      process.execPath,
      [CLI, 'mcp-proxy', '--config', config, '--listen', `127.0.0.1:${proxyPort}`, '--upstream', upstream],
      {
        stdio: 'ignore',
      },
    );
    try {
      const connect = async (url: string) => {
        const client = new Client({ name: 'http', version: '1.0.0' });
        await client.connect(new StreamableHTTPClientTransport(new URL(url)));
        return client;
      };
      const direct = await expect
        .poll(() => connect(upstream).catch(() => undefined), { timeout: 20_000, interval: 200 })
        .toBeDefined();
      void direct;
      const directClient = await connect(upstream);
      const expected = await session(directClient);
      await directClient.close();
      await expect
        .poll(
          () =>
            fetch(`http://127.0.0.1:${proxyPort}/mcp`).then(
              () => true,
              () => false,
            ),
          { timeout: 20_000, interval: 200 },
        )
        .toBe(true);
      const proxied = await connect(`http://127.0.0.1:${proxyPort}/mcp`);
      expect(await session(proxied)).toEqual(expected);
      await proxied.close();
      const exited = new Promise((resolve) => proxy.on('exit', resolve));
      proxy.kill('SIGTERM');
      expect(await exited).toBe(0);
      checkTelemetry(await lines(out), 'tcp');
    } finally {
      proxy.kill('SIGKILL');
      server.kill('SIGKILL');
    }
  });
});
