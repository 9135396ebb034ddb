// The hooks on every transport the SDKs ship: stdio, Streamable HTTP, in-memory; SDK 1.x and 2.x.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { DataPoint, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Client as ClientV2 } from 'mcp-client-v2';
import { createMcpHandler, InMemoryTransport as InMemoryV2, McpServer as McpServerV2 } from 'mcp-server-v2';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type RunningPipeline, startPipeline } from '../../../../core/testing/index.js';
import { builtins } from '../../../../plugins/index.js';
import { instrumentMcpClient, instrumentMcpServer } from '../../../../plugins/receivers/mcp/instrument.js';

const CONFIG = `receivers: { mcp: }
exporters: { sink: }
service:
  pipelines:
    traces: { receivers: [mcp], exporters: [sink] }
    metrics: { receivers: [mcp], exporters: [sink] }
    logs: { receivers: [mcp], exporters: [sink] }
`;

let pipeline: RunningPipeline | undefined;
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await pipeline?.shutdown();
  pipeline = undefined;
});

/** The last collection's points of a metric (they are cumulative). */
function points(p: RunningPipeline, name: string): DataPoint<unknown>[] {
  const all = (p.recorded.items('metrics') as ResourceMetrics[])
    .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
    .filter((m) => m.descriptor.name === name);
  return (all.at(-1)?.dataPoints ?? []) as DataPoint<unknown>[];
}

/** A 2026-07-28 request as an SDK 2.x client POSTs it: the envelope in _meta, Mcp-Method / Mcp-Name. */
function modernPost(id: number, method: string, params: Record<string, unknown> = {}): Request {
  const _meta = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'modern-client', version: '1.0.0' },
    'io.modelcontextprotocol/clientCapabilities': {},
  };
  const name: Record<string, string> = typeof params.name === 'string' ? { 'mcp-name': params.name } : {};
  return new Request('http://127.0.0.1/mcp', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': method,
      ...name,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params: { _meta, ...params } }),
  });
}

const serverSpan = (p: RunningPipeline, name: string) =>
  (p.recorded.items('traces') as ReadableSpan[]).find((s) => s.name === name && s.kind === 1);

/** An instrumented SDK 1.x server on Streamable HTTP (one McpServer per session) and a client of it. */
async function connectOverHttp(p: RunningPipeline, headers: Record<string, string>) {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const http: Server = createServer(async (req, res) => {
    const id = req.headers['mcp-session-id'];
    let transport = typeof id === 'string' ? transports.get(id) : undefined;
    if (!transport) {
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (sid) => void transports.set(sid, transport as StreamableHTTPServerTransport),
      });
      const server = instrumentMcpServer(new McpServer({ name: 'http', version: '1.0.0' }), p.engine);
      server.registerTool('ping_me', {}, async () => ({ content: [{ type: 'text', text: 'pong' }] }));
      await server.connect(transport);
    }
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => http.close(resolve)));
  const url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
  const client = new Client({ name: 'http-client', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
  await client.connect(transport);
  closers.push(() => client.close());
  return { client, transport };
}

describe('mcp hooks on each transport', () => {
  it('SDK 2.x McpServer and Client over its in-memory transport', async () => {
    pipeline = await startPipeline(CONFIG, { plugins: builtins });
    const server = new McpServerV2({ name: 'v2', version: '2.0.0' });
    server.registerTool('double', { inputSchema: z.object({ n: z.number() }) }, async ({ n }) => ({
      content: [{ type: 'text' as const, text: String(n * 2) }],
    }));
    instrumentMcpServer(server, pipeline.engine);
    const client = instrumentMcpClient(
      new ClientV2({ name: 'v2-client', version: '2.0.0' }),
      pipeline.engine,
    );
    const [clientSide, serverSide] = InMemoryV2.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    closers.push(() => client.close());
    expect(await client.callTool({ name: 'double', arguments: { n: 21 } })).toMatchObject({
      content: [{ type: 'text', text: '42' }],
    });
    await pipeline.shutdown();
    const span = serverSpan(pipeline, 'tools/call double');
    expect(span?.attributes).toMatchObject({ 'gen_ai.tool.name': 'double', 'mcp.method.name': 'tools/call' });
    const clientSpan = (pipeline.recorded.items('traces') as ReadableSpan[]).find(
      (s) => s.name === 'tools/call double' && s.kind === 2,
    );
    expect(span?.spanContext().traceId).toBe(clientSpan?.spanContext().traceId);
  });

  it('SDK 2.x createMcpHandler serving 2026-07-28: each POST is an exchange, not a session', async () => {
    pipeline = await startPipeline(CONFIG, { plugins: builtins });
    const engine = pipeline.engine;
    // A server per request, as createMcpHandler's factory makes them, each instrumented.
    const handler = createMcpHandler(() => {
      const server = new McpServerV2({ name: 'modern', version: '2.0.0' });
      server.registerTool('double', { inputSchema: z.object({ n: z.number() }) }, async ({ n }) => ({
        content: [{ type: 'text' as const, text: String(n * 2) }],
      }));
      return instrumentMcpServer(server, engine);
    });
    closers.push(() => handler.close());
    const discover = await handler.fetch(modernPost(1, 'server/discover'));
    expect(await discover.json()).toMatchObject({ result: { supportedVersions: ['2026-07-28'] } });
    const call = await handler.fetch(modernPost(2, 'tools/call', { name: 'double', arguments: { n: 21 } }));
    expect(await call.json()).toMatchObject({ result: { content: [{ type: 'text', text: '42' }] } });
    await pipeline.shutdown();

    for (const name of ['server/discover', 'tools/call double']) {
      const span = serverSpan(pipeline, name);
      expect(span?.attributes).toMatchObject({
        'mcp.protocol.version': '2026-07-28',
        'network.transport': 'tcp',
      });
      expect(span?.attributes).not.toHaveProperty('mcp.session.id');
    }
    // 2026-07-28 has no sessions: a POST served on a transport of its own is not recorded as one.
    expect(points(pipeline, 'mcp.server.session.duration')).toEqual([]);
    expect(points(pipeline, 'mcp.server.operation.duration')).toHaveLength(2);
  });

  it('SDK 2.x createMcpHandler serving 2025-11-25 statelessly: the version from MCP-Protocol-Version', async () => {
    pipeline = await startPipeline(CONFIG, { plugins: builtins });
    const engine = pipeline.engine;
    const handler = createMcpHandler(() => {
      const server = new McpServerV2({ name: 'legacy', version: '2.0.0' });
      server.registerTool('double', { inputSchema: z.object({ n: z.number() }) }, async ({ n }) => ({
        content: [{ type: 'text' as const, text: String(n * 2) }],
      }));
      return instrumentMcpServer(server, engine);
    });
    closers.push(() => handler.close());
    // A 2025 client after its initialize: no session (a server per request), the version in a header.
    const call = await handler.fetch(
      new Request('http://127.0.0.1/mcp', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-11-25',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 7,
          method: 'tools/call',
          params: { name: 'double', arguments: { n: 4 } },
        }),
      }),
    );
    expect(await call.text()).toContain('"text":"8"');
    await pipeline.shutdown();
    expect(serverSpan(pipeline, 'tools/call double')?.attributes).toMatchObject({
      'mcp.protocol.version': '2025-11-25',
      'jsonrpc.request.id': '7',
    });
    expect(
      points(pipeline, 'mcp.server.operation.duration').map((p) => p.attributes['mcp.protocol.version']),
    ).toEqual(['2025-11-25']);
  });

  it('SDK 1.x over Streamable HTTP: session id, transport and client address on the span', async () => {
    pipeline = await startPipeline(CONFIG, { plugins: builtins });
    const { client, transport } = await connectOverHttp(pipeline, { 'x-forwarded-for': '203.0.113.7' });
    expect(await client.callTool({ name: 'ping_me', arguments: {} })).toMatchObject({
      content: [{ text: 'pong' }],
    });
    await pipeline.shutdown();
    const span = serverSpan(pipeline, 'tools/call ping_me');
    expect(span?.attributes).toMatchObject({
      'mcp.session.id': transport.sessionId,
      'network.transport': 'tcp',
      // Anyone can send X-Forwarded-For: with no trusted_proxies it is ignored.
      'client.address': '127.0.0.1',
    });
  });

  it('X-Forwarded-For gives client.address from trusted proxies, read from the right', async () => {
    const trusting = (proxies: string) => CONFIG.replace('mcp: }', `mcp: { trusted_proxies: ${proxies} } }`);
    // The client wrote 203.0.113.7 itself; 198.51.100.2 is what the proxy on 127.0.0.1 saw.
    const headers = { 'x-forwarded-for': '203.0.113.7, 198.51.100.2' };
    const addressVia = async (proxies: string) => {
      pipeline = await startPipeline(trusting(proxies), { plugins: builtins });
      const { client } = await connectOverHttp(pipeline, headers);
      await client.callTool({ name: 'ping_me', arguments: {} });
      await pipeline.shutdown();
      return serverSpan(pipeline, 'tools/call ping_me')?.attributes['client.address'];
    };
    expect(await addressVia('[127.0.0.1]')).toBe('198.51.100.2');
    expect(await addressVia('[127.0.0.0/8, 198.51.100.0/24]')).toBe('203.0.113.7');
    expect(await addressVia('[10.0.0.1]')).toBe('127.0.0.1');
  });

  it('SDK 1.x over stdio: a server process that embeds the engine writes its spans and logs to a file', async () => {
    const output = join(tmpdir(), `tributary-stdio-${process.pid}-${Date.now()}.jsonl`);
    const client = new Client({ name: 'stdio-client', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [join(import.meta.dirname, 'fixtures/stdio-server.mjs'), output],
      }),
    );
    expect(await client.callTool({ name: 'shout', arguments: { text: 'hi' } })).toMatchObject({
      content: [{ text: 'HI' }],
    });
    await client.close();
    await expect
      .poll(() => readLines(output).some((l) => l.message === 'Request completed' && l.tool_name === 'shout'))
      .toBe(true);
    const lines = readLines(output);
    const span = lines.find((l) => l.name === 'tools/call shout');
    expect(span).toMatchObject({
      kind: 'SERVER',
      attributes: { 'network.transport': 'pipe', 'gen_ai.tool.name': 'shout' },
    });
    const completed = lines.find((l) => l.message === 'Request completed' && l.tool_name === 'shout');
    expect(completed).toMatchObject({
      level: 'INFO',
      status: 'success',
      trace_id: span?.trace_id,
      span_id: span?.span_id,
    });
  });
});

function readLines(path: string): Record<string, unknown>[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}
