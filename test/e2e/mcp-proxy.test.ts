// `tributary mcp-proxy` as a user runs it (the built CLI), in front of server-everything, with the MCP
// SDK's own client: every result equals a direct connection's, and the file exporter holds the spans,
// metrics and logs the mcp receiver documents. With the shipped pipeline and no Jaeger, closing the
// client ends the proxy within the SDK's grace period.
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../core/testing/index.js';

const root = join(import.meta.dirname, '../..');
const EVERYTHING = join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const CLI = join(root, 'dist/cli.js');
const MCP_SERVER_YAML = join(root, 'pipelines/mcp-server.yaml');

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

describe('tributary mcp-proxy with pipelines/mcp-server.yaml and no Jaeger', () => {
  afterEach(() => void vi.restoreAllMocks());

  it("ends on its own when the client closes: close() returns within the SDK's 2 s grace, no signal sent", {
    timeout: 60_000,
  }, async () => {
    // The SDK's StdioClientTransport ends stdin, waits 2 s, then kill()s: watch what processes emit and are sent.
    const emitted = vi.spyOn(ChildProcess.prototype, 'emit');
    const signalled = vi.spyOn(ChildProcess.prototype, 'kill');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp-proxy', '--config', MCP_SERVER_YAML, '--', process.execPath, EVERYTHING, 'stdio'],
      env: {
        ...(process.env as Record<string, string>),
        JAEGER_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
        PROMETHEUS_ENDPOINT: '127.0.0.1:0',
      },
      stderr: 'pipe',
    });
    const stderr: string[] = [];
    transport.stderr?.on('data', (chunk: Buffer) => void stderr.push(chunk.toString('utf8')));
    const client = new Client({ name: 'closing', version: '1.0.0' });
    await client.connect(transport);
    const pid = transport.pid;
    await client.callTool({ name: 'echo', arguments: { message: 'then goodbye' } });

    await client.close();
    const ofProxy = <A extends unknown[]>(spy: { mock: { calls: A[]; contexts: unknown[] } }) =>
      spy.mock.calls.filter((_, i) => (spy.mock.contexts[i] as ChildProcess).pid === pid);
    expect(ofProxy(signalled), 'signals the SDK had to send the proxy').toEqual([]);
    // close() returned once the proxy had exited, by itself and cleanly.
    expect(ofProxy(emitted).filter(([event]) => String(event) === 'exit')).toEqual([['exit', 0, null]]);

    // The spans Jaeger never got are summed up once, in the closing line.
    const lines = stderr
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line);
    const summaries = lines.filter((l) => 'not_sent' in l);
    expect(summaries).toEqual([
      expect.objectContaining({
        level: 'WARN',
        logger: 'tributary',
        message: expect.stringMatching(/^Shutdown complete\. Not sent in this run: \d+ spans \(jaeger: /),
        not_sent: { 'jaeger/traces': expect.any(Number) },
      }),
    ]);
    // Reported once: no other warning or error speaks of what was lost.
    const loud = lines.filter((l) => l.level === 'WARN' || l.level === 'ERROR');
    expect(loud.filter((l) => !('not_sent' in l)).map((l) => l.message)).toEqual(
      loud.filter((l) => !('not_sent' in l)).map(() => 'send failed; will retry'),
    );
    // The engine's diagnostics and the stdout exporter's request logs share one layout on stderr.
    expect(new Set(lines.map((l) => l.logger))).toEqual(new Set(['tributary', 'tributary-mcp']));
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(expect.arrayContaining(['timestamp', 'level', 'message', 'logger']));
      expect(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']).toContain(line.level);
    }
  });
});
