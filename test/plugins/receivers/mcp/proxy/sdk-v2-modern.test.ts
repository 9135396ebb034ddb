// The HTTP proxy in front of a real SDK 2.x server speaking 2026-07-28 (createMcpHandler, a server per
// request) with the SDK 2.x client pinned to that revision: discovery, a multi-round-trip tool call
// and a subscriptions/listen stream, as a user's server and client would exchange them.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanStatusCode } from '@opentelemetry/api';
import type { DataPoint, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Client, StreamableHTTPClientTransport } from 'mcp-client-v2';
import { acceptedContent, createMcpHandler, inputRequired, McpServer } from 'mcp-server-v2';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import { startPipeline } from '../../../../../core/testing/index.js';
import { builtins } from '../../../../../plugins/index.js';
import { startHttpProxy } from '../../../../../plugins/receivers/mcp/proxy/http.js';
import type { McpHooks } from '../../../../../plugins/receivers/mcp/types.js';

const CONFIG = `receivers: { mcp: }
exporters: { sink: }
service:
  pipelines:
    traces: { receivers: [mcp], exporters: [sink] }
    metrics: { receivers: [mcp], exporters: [sink] }
`;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An SDK 2.x server on node:http: `echo`, and `deploy`, which asks the client to confirm first. */
async function startModernServer() {
  const confirmation = z.object({ confirm: z.boolean() });
  const handler = createMcpHandler(() => {
    const server = new McpServer({ name: 'modern', version: '2.0.0' });
    server.registerTool('echo', { inputSchema: z.object({ text: z.string() }) }, async ({ text }) => ({
      content: [{ type: 'text' as const, text }],
    }));
    server.registerTool('deploy', { inputSchema: z.object({ env: z.string() }) }, async ({ env }, ctx) => {
      if (acceptedContent(ctx.mcpReq.inputResponses, 'confirm', confirmation)?.confirm !== true) {
        const confirm = inputRequired.elicit({ message: `Deploy to ${env}?`, requestedSchema: confirmation });
        return inputRequired({ inputRequests: { confirm } });
      }
      return { content: [{ type: 'text' as const, text: `deployed to ${env}` }] };
    });
    return server;
  });
  const http: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : []));
    const response = await handler.fetch(
      new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers: headers as [string, string][],
        body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
      }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body) for await (const chunk of response.body) res.write(chunk);
    res.end();
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  cleanups.push(async () => {
    await handler.close();
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  });
  const url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
  return { url, notifyToolsChanged: () => handler.notify.toolsChanged() };
}

/** What the SDK 2.x client gets, pinned to 2026-07-28. */
async function converse(url: URL, notifyToolsChanged: () => void) {
  const client = new Client(
    { name: 'modern-client', version: '2.0.0' },
    { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  client.setRequestHandler('elicitation/create', async () => ({
    action: 'accept',
    content: { confirm: true },
  }));
  let changed = 0;
  client.setNotificationHandler('notifications/tools/list_changed', () => void changed++);
  await client.connect(new StreamableHTTPClientTransport(url));
  const seen = {
    version: client.getNegotiatedProtocolVersion(),
    echo: await client.callTool({ name: 'echo', arguments: { text: 'hi' } }),
    deploy: await client.callTool({ name: 'deploy', arguments: { env: 'prod' } }),
    changed: 0,
  };
  const subscription = await client.listen({ toolsListChanged: true });
  notifyToolsChanged();
  await expect.poll(() => changed).toBe(1);
  seen.changed = changed;
  await subscription.close();
  await client.close();
  return seen;
}

const points = (metrics: ResourceMetrics[], name: string) =>
  (metrics
    .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
    .filter((m) => m.descriptor.name === name)
    .at(-1)?.dataPoints ?? []) as DataPoint<unknown>[];

it('SDK 2.x at 2026-07-28 through the HTTP proxy: same answers, one operation per call, the stream recorded', async () => {
  const { url, notifyToolsChanged } = await startModernServer();
  const direct = await converse(url, notifyToolsChanged);
  expect(direct).toMatchObject({
    version: '2026-07-28',
    echo: { content: [{ text: 'hi' }] },
    deploy: { content: [{ text: 'deployed to prod' }] },
    changed: 1,
  });

  const pipeline = await startPipeline(CONFIG, { plugins: builtins });
  cleanups.push(() => pipeline.shutdown());
  const hooks = pipeline.engine.sharedOf<McpHooks>('mcp') as McpHooks;
  const proxy = await startHttpProxy(hooks, {
    listen: { port: 0 },
    upstream: url,
    logger: pino({ level: 'silent' }),
  });
  cleanups.push(() => proxy.close());
  expect(await converse(new URL(proxy.url), notifyToolsChanged)).toEqual(direct);
  await proxy.close();
  await pipeline.shutdown();

  const spans = (pipeline.recorded.items('traces') as ReadableSpan[]).filter((s) => s.kind === 1);
  expect(spans.map((s) => s.name)).toEqual([
    'server/discover',
    'tools/call echo',
    'tools/call deploy',
    'tools/call deploy',
    'subscriptions/listen',
  ]);
  for (const span of spans) {
    expect(span.attributes).toMatchObject({
      'mcp.protocol.version': '2026-07-28',
      'network.transport': 'tcp',
    });
    expect(span.attributes).not.toHaveProperty('mcp.session.id');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  }
  const [asked, confirmed] = spans.filter((s) => s.name === 'tools/call deploy') as [
    ReadableSpan,
    ReadableSpan,
  ];
  expect(asked.events.map((e) => e.name)).toEqual(['input_required']);
  expect(confirmed.links.map((l) => l.context.spanId)).toEqual([asked.spanContext().spanId]);
  expect(spans.at(-1)?.events.map((e) => e.name)).toEqual([
    'notifications/subscriptions/acknowledged',
    'notifications/tools/list_changed',
  ]);

  const metrics = pipeline.recorded.items('metrics') as ResourceMetrics[];
  const deploys = points(metrics, 'mcp_tool_executions_total').filter((p) => p.attributes.tool === 'deploy');
  expect(deploys.map((p) => [p.attributes.status, p.value])).toEqual([['success', 1]]);
  expect(points(metrics, 'mcp.server.session.duration')).toEqual([]);
});
