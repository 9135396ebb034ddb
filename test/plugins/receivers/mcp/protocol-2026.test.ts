// Protocol revision 2026-07-28 (no initialize, no session, per-request _meta, multi-round-trip
// requests, subscriptions/listen, Mcp-Method / Mcp-Name headers): the scripted server and client of
// fixtures/, every message checked against the published schema, driven through instrumentMcpServer,
// the stdio proxy and the HTTP proxy. Answers are byte-identical to a direct connection; the spans and
// metrics follow the conventions for that revision.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { DataPoint, Histogram, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningPipeline, startPipeline } from '../../../../core/testing/index.js';
import { builtins } from '../../../../plugins/index.js';
import { instrumentMcpClient, instrumentMcpServer } from '../../../../plugins/receivers/mcp/instrument.js';
import { interimKey, retryKey, WaitingRounds } from '../../../../plugins/receivers/mcp/protocol-2026.js';
import { startHttpProxy } from '../../../../plugins/receivers/mcp/proxy/http.js';
import { decodeHeaderValue } from '../../../../plugins/receivers/mcp/proxy/mcp-headers.js';
import { runStdioProxy } from '../../../../plugins/receivers/mcp/proxy/stdio.js';
import type { McpHooks } from '../../../../plugins/receivers/mcp/types.js';
import {
  converse,
  type Exchange,
  headerValue,
  httpWire,
  request,
  stdioWire,
} from './fixtures/client-2026.js';
import { clientWire, InProcessTransport, inProcessWire } from './fixtures/in-process-2026.js';
import { startHttpServer } from './fixtures/server-2026.mjs';

const SERVER = join(import.meta.dirname, 'fixtures/server-2026.mjs');
const logger = pino({ level: 'silent' });
const CONFIG = `receivers: { mcp: }
exporters: { sink: }
service:
  pipelines:
    traces: { receivers: [mcp], exporters: [sink] }
    metrics: { receivers: [mcp], exporters: [sink] }
    logs: { receivers: [mcp], exporters: [sink] }
`;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(): Promise<{ pipeline: RunningPipeline; hooks: McpHooks }> {
  const pipeline = await startPipeline(CONFIG, { plugins: builtins });
  cleanups.push(() => pipeline.shutdown());
  const hooks = pipeline.engine.sharedOf<McpHooks>('mcp');
  if (!hooks) throw new Error('the mcp receiver shares no hooks');
  return { pipeline, hooks };
}

const spans = (p: RunningPipeline) =>
  (p.recorded.items('traces') as ReadableSpan[]).filter((s) => s.kind === 1 /* SERVER */);
const logs = (p: RunningPipeline) => p.recorded.items('logs') as ReadableLogRecord[];
/** The last collection's points of a metric (they are cumulative). */
function points(p: RunningPipeline, name: string): DataPoint<unknown>[] {
  const all = (p.recorded.items('metrics') as ResourceMetrics[])
    .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
    .filter((m) => m.descriptor.name === name);
  return (all.at(-1)?.dataPoints ?? []) as DataPoint<unknown>[];
}

/** What a client sees of a conversation: everything but timing. */
const seen = (exchanges: Exchange[]) =>
  exchanges.map(({ raw, status, contentType }) => ({ raw, status, contentType }));

/** The spans, metrics and logs a 2026-07-28 conversation must leave, whatever carried it. */
function expectConventions(pipeline: RunningPipeline, transport: 'pipe' | 'tcp' | undefined) {
  const all = spans(pipeline);
  expect(all.map((s) => s.name)).toEqual([
    'server/discover',
    'tools/list',
    'tools/call echo',
    'tools/call book',
    'tools/call book',
    'tools/call météo',
    'tools/call broken',
    'resources/read',
    'subscriptions/listen',
    'tools/call echo',
  ]);
  for (const span of all) {
    if (span.attributes['mcp.protocol.version'] === '2026-07-28')
      expect(span.attributes).not.toHaveProperty('mcp.session.id');
    expect(span.attributes['jsonrpc.request.id']).toEqual(expect.any(String));
    expect(span.attributes['network.transport']).toBe(transport);
  }
  // The version each request stated in its _meta, with no initialize before.
  expect(all.slice(0, -1).every((s) => s.attributes['mcp.protocol.version'] === '2026-07-28')).toBe(true);
  const refused = all.at(-1) as ReadableSpan;
  expect(refused.attributes).toMatchObject({
    'mcp.protocol.version': '2025-11-25',
    'error.type': '-32022',
    'rpc.response.status_code': '-32022',
  });
  expect(refused.status).toMatchObject({
    code: SpanStatusCode.ERROR,
    message: 'Unsupported protocol version',
  });

  // The multi-round-trip call: two rounds, the retry linked to the round it answers.
  const [first, retry] = all.filter((s) => s.name === 'tools/call book') as [ReadableSpan, ReadableSpan];
  expect(first.events.map((e) => e.name)).toEqual(['input_required']);
  expect(first.status.code).toBe(SpanStatusCode.UNSET);
  expect(retry.links.map((l) => l.context.spanId)).toContain(first.spanContext().spanId);
  expect(retry.attributes['jsonrpc.request.id']).not.toBe(first.attributes['jsonrpc.request.id']);
  // ...and one operation in the metrics and the logs.
  const book = points(pipeline, 'mcp.server.operation.duration').filter(
    (p) => p.attributes['gen_ai.tool.name'] === 'book',
  );
  expect(book.map((p) => (p.value as Histogram).count)).toEqual([1]);
  const requests = points(pipeline, 'mcp_requests_total').find((p) => p.attributes.endpoint === 'book');
  expect(requests?.value).toBe(1);
  const completed = logs(pipeline).filter(
    (l) => l.body === 'Request completed' && l.attributes.tool_name === 'book',
  );
  expect(completed).toHaveLength(1);
  expect(
    logs(pipeline).filter((l) => l.body === 'Request started' && l.attributes.tool_name === 'book'),
  ).toHaveLength(1);

  // A tool error fails the operation; an unknown resource (invalid params) is the caller's mistake.
  const broken = all.find((s) => s.name === 'tools/call broken');
  expect(broken?.attributes['error.type']).toBe('tool_error');
  const missing = all.find((s) => s.name === 'resources/read');
  expect(missing?.attributes).toMatchObject({
    'mcp.resource.uri': 'file:///missing.txt',
    'rpc.response.status_code': '-32602',
  });
  expect(missing?.attributes).not.toHaveProperty('error.type');
  expect(missing?.status.code).toBe(SpanStatusCode.UNSET);
  expect(all.find((s) => s.name === 'tools/call météo')?.attributes['gen_ai.tool.name']).toBe('météo');

  // The subscription stream: one span from the request to its graceful end, its notifications as events.
  const listen = all.find((s) => s.name === 'subscriptions/listen');
  expect(listen?.events.map((e) => e.name)).toEqual([
    'notifications/subscriptions/acknowledged',
    'notifications/tools/list_changed',
  ]);
  expect(listen?.status.code).toBe(SpanStatusCode.UNSET);
  expect(
    points(pipeline, 'mcp.server.operation.duration').find(
      (p) => p.attributes['mcp.method.name'] === 'subscriptions/listen',
    )?.attributes,
  ).toMatchObject({ 'mcp.protocol.version': '2026-07-28' });
  // No session: no HTTP exchange of 2026-07-28 traffic is counted as one (the refused 2025-11-25
  // request's is, as before); a stdio connection is the one connection it is.
  const sessions = points(pipeline, 'mcp.server.session.duration');
  expect(sessions.filter((p) => p.attributes['mcp.protocol.version'] === '2026-07-28')).toEqual([]);
  if (transport === 'pipe') expect(sessions.map((p) => (p.value as { count: number }).count)).toEqual([1]);
}

describe('MCP 2026-07-28', () => {
  it('the scripted client and server keep to the published schema', async () => {
    const { exchanges, violations } = await converse(inProcessWire(new InProcessTransport()));
    expect(violations).toEqual([]);
    const results = exchanges.map((e) => e.messages.at(-1));
    expect(results[0]?.result).toMatchObject({ supportedVersions: ['2026-07-28'] });
    expect(results[3]?.result).toMatchObject({ resultType: 'input_required', requestState: 'booking-1' });
    expect(results[4]?.result).toMatchObject({ resultType: 'complete', content: [{ text: 'booked' }] });
    expect(results[7]?.error).toMatchObject({ code: -32602 });
    expect(exchanges[8]?.messages).toHaveLength(3);
    expect(results[9]?.error).toMatchObject({ code: -32022, data: { requested: '2025-11-25' } });
  });

  it('instrumentMcpServer: answers unchanged, spans and metrics per the conventions', async () => {
    const direct = await converse(inProcessWire(new InProcessTransport()));
    const { pipeline } = await receiver();
    // A transport with a session id: 2026-07-28 traffic has no session, so none is recorded.
    const transport = instrumentMcpServer(new InProcessTransport('a-transport-session'), pipeline.engine);
    const hooked = await converse(inProcessWire(transport));
    expect(hooked.violations).toEqual([]);
    expect(seen(hooked.exchanges)).toEqual(seen(direct.exchanges));
    await pipeline.shutdown();
    expectConventions(pipeline, undefined);
  });

  it('instrumentMcpClient: CLIENT spans, trace context added to _meta (still valid), one operation', async () => {
    const { pipeline } = await receiver();
    const transport = instrumentMcpClient(new InProcessTransport(), pipeline.engine);
    const { exchanges, violations } = await converse(clientWire(transport));
    // What the hooked client sent (with traceparent in _meta) and received keeps to the schema.
    expect(violations).toEqual([]);
    expect(exchanges.at(-2)?.messages.map((m) => m.method ?? 'response')).toEqual([
      'notifications/subscriptions/acknowledged',
      'notifications/tools/list_changed',
      'response',
    ]);
    await pipeline.shutdown();
    const sent = (pipeline.recorded.items('traces') as ReadableSpan[]).filter((s) => s.kind === 2);
    expect(sent.map((s) => s.name)).toContain('subscriptions/listen');
    const [first, retry] = sent.filter((s) => s.name === 'tools/call book') as [ReadableSpan, ReadableSpan];
    expect(retry.links.map((l) => l.context.spanId)).toEqual([first.spanContext().spanId]);
    for (const [i, exchange] of exchanges.entries()) {
      const meta = (exchange.request.params as { _meta: Record<string, unknown> })._meta;
      expect(meta.traceparent).toBe(
        `00-${sent[i]?.spanContext().traceId}-${sent[i]?.spanContext().spanId}-01`,
      );
      expect(meta['io.modelcontextprotocol/protocolVersion']).toBe(i === 9 ? '2025-11-25' : '2026-07-28');
    }
    const book = points(pipeline, 'mcp.client.operation.duration').filter(
      (p) => p.attributes['gen_ai.tool.name'] === 'book',
    );
    expect(book.map((p) => (p.value as { count: number }).count)).toEqual([1]);
    // The version refused by the server: an error to the client, as every JSON-RPC error is.
    expect(sent.at(-1)?.attributes).toMatchObject({
      'error.type': '-32022',
      'mcp.protocol.version': '2025-11-25',
    });
  });

  it('stdio proxy: byte-identical to the server run directly, spans per the conventions', async () => {
    const server = spawn(process.execPath, [SERVER, 'stdio'], { stdio: 'pipe' });
    cleanups.push(() => server.kill());
    const direct = await converse(stdioWire(server.stdin, server.stdout));

    const { pipeline, hooks } = await receiver();
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const exit = runStdioProxy(hooks, process.execPath, [SERVER, 'stdio'], {
      stdin,
      stdout,
      stderr: new PassThrough(),
      logger,
      signals: [],
    });
    const proxied = await converse(stdioWire(stdin, stdout));
    stdin.end();
    expect(await exit).toBe(0);
    expect(proxied.violations).toEqual([]);
    expect(seen(proxied.exchanges)).toEqual(seen(direct.exchanges));
    await pipeline.shutdown();
    expectConventions(pipeline, 'pipe');
  });

  it('HTTP proxy: byte-identical to the server reached directly, spans per the conventions', async () => {
    const server = await listening(startHttpServer());
    const upstream = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
    const direct = await converse(httpWire(upstream));

    const { pipeline, hooks } = await receiver();
    const proxy = await startHttpProxy(hooks, { listen: { port: 0 }, upstream, logger });
    cleanups.push(() => proxy.close());
    const proxied = await converse(httpWire(proxy.url));
    expect(proxied.violations).toEqual([]);
    expect(seen(proxied.exchanges)).toEqual(seen(direct.exchanges));
    expect(proxied.exchanges[8]?.contentType).toBe('text/event-stream');
    await proxy.close();
    await pipeline.shutdown();
    expectConventions(pipeline, 'tcp');
    const echo = spans(pipeline).find((s) => s.name === 'tools/call echo');
    expect(echo?.attributes).toMatchObject({
      'network.protocol.name': 'http',
      'client.address': '127.0.0.1',
      'client.port': expect.any(Number),
    });
  });

  it('HTTP proxy: a request the server refuses for its headers is a failed operation (-32020)', async () => {
    const server = await listening(startHttpServer());
    const upstream = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
    const { pipeline, hooks } = await receiver();
    const proxy = await startHttpProxy(hooks, { listen: { port: 0 }, upstream, logger });
    cleanups.push(() => proxy.close());
    const body = {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name: 'echo',
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    };
    const response = await fetch(proxy.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mcp-method': 'tools/call', 'mcp-name': 'other' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    await response.text();
    await proxy.close();
    await pipeline.shutdown();
    expect(spans(pipeline)[0]?.attributes).toMatchObject({
      'error.type': '-32020',
      'gen_ai.tool.name': 'echo',
    });
  });

  it('HTTP proxy: a body it cannot read is still recorded, labelled by Mcp-Method and Mcp-Name', async () => {
    // An upstream that takes a body compressed with an encoding the proxy does not undo.
    const { createServer } = await import('node:http');
    const upstreamServer = await listening(
      createServer((req, res) => {
        req.resume();
        req.on('end', () =>
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ jsonrpc: '2.0', id: 7, result: { resultType: 'complete', content: [] } })),
        );
      }),
    );
    const upstream = new URL(`http://127.0.0.1:${(upstreamServer.address() as AddressInfo).port}/mcp`);
    const { pipeline, hooks } = await receiver();
    const proxy = await startHttpProxy(hooks, { listen: { port: 0 }, upstream, logger });
    cleanups.push(() => proxy.close());
    const response = await fetch(proxy.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'zstd',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': headerValue('prévisions'),
      },
      body: Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x01]),
    });
    expect(await response.json()).toMatchObject({ id: 7 });
    await proxy.close();
    await pipeline.shutdown();
    expect(spans(pipeline).map((s) => [s.name, s.attributes['jsonrpc.request.id']])).toEqual([
      ['tools/call prévisions', '7'],
    ]);
    expect(spans(pipeline)[0]?.attributes['mcp.protocol.version']).toBe('2026-07-28');
  });

  it('a subscription stream the client ends (cancel, or the connection closing) is no error', async () => {
    const { pipeline, hooks } = await receiver();
    const listen = (id: number) =>
      request(id, 'subscriptions/listen', { notifications: { toolsListChanged: true } });
    const tagged = (id: number, method: string) => ({
      jsonrpc: '2.0',
      method,
      params: { _meta: { 'io.modelcontextprotocol/subscriptionId': id }, notifications: {} },
    });
    const session = hooks.session({ side: 'server', transport: 'pipe' });
    session.incoming(listen(1));
    session.incoming(listen(2));
    session.outgoing(tagged(1, 'notifications/subscriptions/acknowledged'));
    session.outgoing(tagged(2, 'notifications/subscriptions/acknowledged'));
    session.outgoing(tagged(1, 'notifications/tools/list_changed'));
    // stdio: the client cancels stream 1; stream 2 is open when the connection closes.
    session.incoming({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } });
    session.close();
    await pipeline.shutdown();
    const streams = spans(pipeline);
    expect(streams.map((s) => [s.attributes['jsonrpc.request.id'], s.events.map((e) => e.name)])).toEqual([
      ['1', ['notifications/subscriptions/acknowledged', 'notifications/tools/list_changed']],
      ['2', ['notifications/subscriptions/acknowledged']],
    ]);
    for (const stream of streams) {
      expect(stream.status.code).toBe(SpanStatusCode.UNSET);
      expect(stream.attributes).not.toHaveProperty('error.type');
    }
  });

  it('holds a bounded number of operations waiting for a retry, and counts those it gives up', () => {
    let dropped = 0;
    const rounds = new WaitingRounds(() => dropped++, 2);
    const span = { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 };
    const key = (state: string) =>
      interimKey('op', { resultType: 'input_required', requestState: state }) as string;
    for (const state of ['a', 'b', 'c']) rounds.wait(key(state), { span, started: 0, rounds: 1 });
    expect(dropped).toBe(1);
    // The oldest gave way; a retry finds its round once.
    expect(rounds.resume(retryKey('op', { requestState: 'a' }) as string)).toBeUndefined();
    expect(rounds.resume(retryKey('op', { requestState: 'c' }) as string)).toMatchObject({ rounds: 1 });
    expect(rounds.resume(retryKey('op', { requestState: 'c' }) as string)).toBeUndefined();
    // Without requestState, the inputs asked for tie the rounds, whatever their order.
    const asked = interimKey('op', { resultType: 'input_required', inputRequests: { b: {}, a: {} } });
    expect(retryKey('op', { inputResponses: { a: {}, b: {} } })).toBe(asked);
    expect(interimKey('op', { resultType: 'complete' })).toBeUndefined();
    expect(retryKey('op', { name: 'book' })).toBeUndefined();
  });

  it('decodes header values in the Base64 sentinel form, as the spec encodes them', () => {
    // The spec's own examples (basic/transports/streamable-http, "Value Encoding").
    expect(decodeHeaderValue('=?base64?SGVsbG8sIOS4lueVjA==?=')).toBe('Hello, 世界');
    expect(decodeHeaderValue('=?base64?IHBhZGRlZCA=?=')).toBe(' padded ');
    expect(decodeHeaderValue('=?base64?bGluZTEKbGluZTI=?=')).toBe('line1\nline2');
    expect(decodeHeaderValue('=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=')).toBe('=?base64?literal?=');
    expect(decodeHeaderValue('us-west1')).toBe('us-west1');
    // Malformed: not Base64, or bytes that are not UTF-8.
    expect(decodeHeaderValue('=?base64?not base64!?=')).toBeUndefined();
    expect(decodeHeaderValue(`=?base64?${Buffer.from([0xff, 0xfe]).toString('base64')}?=`)).toBeUndefined();
    for (const value of ['météo', ' padded ', '=?base64?x?=', 'plain'])
      expect(decodeHeaderValue(headerValue(value))).toBe(value);
  });
});

async function listening(server: Server | Promise<Server>): Promise<Server> {
  const s = await server;
  if (!s.listening) {
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
  }
  cleanups.push(() => new Promise((resolve) => s.close(resolve)).then(() => s.closeAllConnections()));
  return s;
}
