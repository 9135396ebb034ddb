// Our MCP spans and metrics checked against the OpenTelemetry MCP semantic conventions as published
// (the model files vendored in test/fixtures/semconv-genai-mcp), not against a copy typed here: a real
// SDK 1.x server and client over Streamable HTTP on loopback, both hooked, and the scripted 2026-07-28
// server for the revision without sessions.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { EmptyResultSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  type SpanContext,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import type { DataPoint, MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type RunningPipeline, startPipeline } from '../../../../core/testing/index.js';
import { builtins } from '../../../../plugins/index.js';
import { instrumentMcpClient, instrumentMcpServer } from '../../../../plugins/receivers/mcp/instrument.js';
import { isFailure } from '../../../../plugins/receivers/mcp/semconv.js';
import type { McpHooks } from '../../../../plugins/receivers/mcp/types.js';
import { converse } from './fixtures/client-2026.js';
import { InProcessTransport, inProcessWire } from './fixtures/in-process-2026.js';
import { codesIn, defines, METHODS, METRICS, metricModel, registryNote, spanModel } from './semconv-model.js';

const CONFIG = (mcp: string) => `receivers: { mcp: ${mcp} }
exporters: { sink: }
service:
  pipelines:
    traces: { receivers: [mcp], exporters: [sink] }
    metrics: { receivers: [mcp], exporters: [sink] }
`;
const CAPTURE = '{ capture: { arguments: true, results: true } }';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function makeServer() {
  const server = new McpServer({ name: 'semconv-server', version: '1.0.0' });
  server.registerTool('add', { inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => ({
    content: [{ type: 'text', text: String(a + b) }],
  }));
  server.registerTool('fail', { inputSchema: {} }, async () => ({
    isError: true,
    content: [{ type: 'text', text: 'upstream said no' }],
  }));
  // What a handler sees of the caller's baggage, carried in params._meta.
  server.registerTool('whoami', { inputSchema: {} }, async () => ({
    content: [
      { type: 'text', text: propagation.getBaggage(context.active())?.getEntry('user')?.value ?? '' },
    ],
  }));
  server.registerPrompt('greet', { argsSchema: { name: z.string() } }, ({ name }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Hello ${name}` } }],
  }));
  server.registerResource('readme', 'file:///readme.md', {}, async (uri) => ({
    contents: [{ uri: uri.href, text: 'read me' }],
  }));
  return server;
}

/**
 * A hooked SDK server behind a node HTTP server whose every request runs in an HTTP span (the ambient
 * transport context the conventions ask to link), and a hooked SDK client connected to it.
 */
async function overHttp(mcpConfig = '{}') {
  const pipeline = await startPipeline(CONFIG(mcpConfig), { plugins: builtins });
  cleanups.push(() => pipeline.shutdown());
  const httpTracer = new BasicTracerProvider().getTracer('http-server');
  const httpSpans: SpanContext[] = [];
  const server = instrumentMcpServer(makeServer(), pipeline.engine);
  const serverTransport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    enableJsonResponse: true,
  });
  await server.connect(serverTransport);
  const http = createServer((req, res) => {
    const span = httpTracer.startSpan(`${req.method} /mcp`);
    httpSpans.push(span.spanContext());
    void context
      .with(trace.setSpan(context.active(), span), () => serverTransport.handleRequest(req, res))
      .finally(() => span.end());
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  cleanups.push(() => {
    http.closeAllConnections();
    return new Promise((resolve) => http.close(resolve));
  });
  const { port } = http.address() as AddressInfo;
  const client = instrumentMcpClient(
    new Client({ name: 'semconv-client', version: '1.0.0' }),
    pipeline.engine,
  );
  const clientTransport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`));
  await client.connect(clientTransport);
  return { pipeline, client, clientTransport, httpSpans, port };
}

/** A session that does what users do, with one failure of each kind, then ends. */
async function typicalSession(mcpConfig?: string) {
  const running = await overHttp(mcpConfig);
  const { client, clientTransport, pipeline } = running;
  await client.listTools();
  await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
  await client.callTool({ name: 'fail', arguments: {} });
  await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });
  await client.readResource({ uri: 'file:///readme.md' });
  const unknownMethod = await client
    .request({ method: 'no/such-method', params: {} }, EmptyResultSchema)
    .catch((err: { code?: number; message: string }) => err);
  await clientTransport.terminateSession();
  await client.close();
  await pipeline.shutdown();
  return { ...running, unknownMethod };
}

const mcpSpans = (p: RunningPipeline) =>
  (p.recorded.items('traces') as ReadableSpan[]).filter(
    (s) => s.instrumentationScope.name === 'tributary-mcp',
  );
const metrics = (p: RunningPipeline): MetricData[] =>
  (p.recorded.items('metrics') as ResourceMetrics[]).flatMap((rm) =>
    rm.scopeMetrics.flatMap((sm) => sm.metrics),
  );
/** The last collection's points of a metric (metrics are cumulative). */
function points(p: RunningPipeline, name: string): DataPoint<unknown>[] {
  const all = metrics(p).filter((m) => m.descriptor.name === name);
  return (all.at(-1)?.dataPoints ?? []) as DataPoint<unknown>[];
}

const KIND = { 1: 'server', 2: 'client' } as const;

/** What the conventions say of one MCP span, checked against the model of its kind. */
function expectConventional(span: ReadableSpan) {
  const kind = KIND[span.kind as 1 | 2];
  const model = spanModel(kind === 'server' ? 'mcp.server' : 'mcp.client');
  expect(model.kind).toBe(kind);
  const a = span.attributes;
  // Only attributes the model defines for this span.
  for (const key of Object.keys(a)) expect(defines(model.attributes, key), `${span.name}: ${key}`).toBe(true);
  // Required.
  for (const [key, attribute] of model.attributes)
    if (attribute.requirement === 'required') expect(a, span.name).toHaveProperty([key]);
  const method = a['mcp.method.name'] as string;
  // {mcp.method.name} {target}, the target being the tool or prompt name when there is one.
  const target = a['gen_ai.tool.name'] ?? a['gen_ai.prompt.name'];
  expect(span.name).toBe(target ? `${method} ${target}` : method);
  // Conditionally required.
  if (method === 'tools/call') expect(a['gen_ai.tool.name']).toEqual(expect.any(String));
  if (method === 'prompts/get') expect(a['gen_ai.prompt.name']).toEqual(expect.any(String));
  if (method.startsWith('resources/') && method !== 'resources/list' && method !== 'resources/templates/list')
    expect(a['mcp.resource.uri']).toEqual(expect.any(String));
  expect(a['jsonrpc.request.id']).toEqual(expect.any(String));
  // error.type if and only if the operation failed; then, and only then, the status is ERROR.
  expect(span.status.code === SpanStatusCode.ERROR, span.name).toBe(a['error.type'] !== undefined);
  const code = a['rpc.response.status_code'] as string | undefined;
  if (code) expect(a['error.type'] === code).toBe(isFailure(code, kind === 'server'));
  // Recommended: what a user filters by.
  expect(a['gen_ai.operation.name']).toBe(method === 'tools/call' ? 'execute_tool' : undefined);
  expect(a['mcp.protocol.version']).toEqual(expect.any(String));
  expect(a['network.transport']).toBe('tcp');
  expect(a['network.protocol.name']).toBe('http');
  if (kind === 'server') {
    expect(a['client.address']).toBe('127.0.0.1');
    expect(a['client.port']).toEqual(expect.any(Number));
  } else {
    expect(a['server.address']).toBe('127.0.0.1');
    expect(a['server.port']).toEqual(expect.any(Number));
  }
}

describe('MCP semantic conventions (the vendored model)', () => {
  it('every span has the name and attributes the model gives its kind', async () => {
    const { pipeline, unknownMethod, port } = await typicalSession();
    const all = mcpSpans(pipeline);
    const methods = new Set(all.map((s) => s.attributes['mcp.method.name']));
    expect([...methods].sort()).toEqual([
      'initialize',
      'no/such-method',
      'prompts/get',
      'resources/read',
      'tools/call',
      'tools/list',
    ]);
    // The registry knows each of them but the one made up here.
    for (const method of methods) expect(METHODS.has(method as string)).toBe(method !== 'no/such-method');
    for (const span of all) expectConventional(span);
    expect(all.filter((s) => s.kind === 1)).toHaveLength(all.length / 2);
    expect(all.find((s) => s.kind === 2)?.attributes['server.port']).toBe(port);

    // A part of a 2025-11-25 session: its id on every span, client and server alike.
    const sessions = new Set(all.map((s) => s.attributes['mcp.session.id']));
    expect(sessions.size).toBe(1);
    expect([...sessions][0]).toEqual(expect.any(String));

    // A tool that reports an error failed; the tool's text is the status description.
    const fail = all.filter((s) => s.name === 'tools/call fail');
    expect(fail.map((s) => s.attributes['error.type'])).toEqual(['tool_error', 'tool_error']);
    // A method the server does not have: the caller's mistake, an error only to the caller.
    expect(unknownMethod).toMatchObject({ code: -32601 });
    const [served, sent] = [1, 2].map((kind) =>
      all.find((s) => s.kind === kind && s.name === 'no/such-method'),
    ) as [ReadableSpan, ReadableSpan];
    expect(served.attributes).toMatchObject({ 'rpc.response.status_code': '-32601' });
    expect(served.attributes).not.toHaveProperty('error.type');
    expect(served.status.code).toBe(SpanStatusCode.UNSET);
    expect(sent.attributes).toMatchObject({ 'rpc.response.status_code': '-32601', 'error.type': '-32601' });
    expect(sent.status.message).toMatch(/Method not found/);
  });

  it('classifies JSON-RPC codes as the model lists them', () => {
    const served = spanModel('mcp.server').attributes;
    const notErrors = codesIn(
      metricModel('mcp.server.operation.duration').attributes.get('rpc.response.status_code')?.note ?? '',
    );
    expect(notErrors).toEqual(['-32700', '-32600', '-32601', '-32602', '-32002']);
    for (const code of notErrors) {
      expect(isFailure(code, true), code).toBe(false);
      expect(isFailure(code, false), code).toBe(true);
    }
    // The server span's note: -32603 and the whole -32000..-32099 server range are errors.
    const serverNote = served.get('rpc.response.status_code')?.note ?? '';
    expect(codesIn(serverNote)).toEqual(['-32603', '-32000', '-32099']);
    // Except those the list above names (-32002, resource not found before 2026-07-28): the more specific rule.
    for (let code = -32099; code <= -32000; code++)
      expect(isFailure(String(code), true)).toBe(!notErrors.includes(String(code)));
    expect(isFailure('-32603', true)).toBe(true);
    // The client's: every code is an error.
    expect(spanModel('mcp.client').attributes.get('rpc.response.status_code')?.note).toMatch(
      /All JSON-RPC error codes SHOULD be considered errors/,
    );
  });

  it('records the opt-in attributes only when asked to', async () => {
    const plain = mcpSpans((await typicalSession()).pipeline);
    const optIn = [...spanModel('mcp.server').attributes].filter(([, a]) => a.requirement === 'opt_in');
    expect(optIn.map(([key]) => key).sort()).toEqual([
      'gen_ai.prompt.variable',
      'gen_ai.tool.call.arguments',
      'gen_ai.tool.call.result',
    ]);
    for (const span of plain)
      for (const key of Object.keys(span.attributes))
        expect(optIn.some(([k]) => key.startsWith(k))).toBe(false);

    const captured = mcpSpans((await typicalSession(CAPTURE)).pipeline);
    const add = captured.find((s) => s.kind === 1 && s.name === 'tools/call add');
    expect(add?.attributes['gen_ai.tool.call.arguments']).toBe('{"a":2,"b":3}');
    expect(add?.attributes['gen_ai.tool.call.result']).toContain('"text":"5"');
    const greet = captured.find((s) => s.kind === 1 && s.name === 'prompts/get greet');
    expect(greet?.attributes['gen_ai.prompt.variable.name']).toBe('Ada');
    for (const span of captured) expectConventional(span);
  });

  it('emits the four duration histograms with the attributes the model gives each', async () => {
    const { pipeline } = await typicalSession();
    for (const name of METRICS) {
      const model = metricModel(name);
      const metric = metrics(pipeline).find((m) => m.descriptor.name === name);
      expect(metric, name).toBeDefined();
      expect(model.instrument).toBe('histogram');
      expect(metric?.descriptor.unit).toBe(model.unit);
      expect(metric?.dataPointType).toBe(0); // HISTOGRAM
      const dataPoints = points(pipeline, name);
      expect(dataPoints.length, name).toBeGreaterThan(0);
      for (const point of dataPoints) {
        for (const key of Object.keys(point.attributes))
          expect(defines(model.attributes, key), `${name}: ${key}`).toBe(true);
        for (const [key, attribute] of model.attributes)
          if (attribute.requirement === 'required') expect(point.attributes).toHaveProperty([key]);
      }
    }
    const server = points(pipeline, 'mcp.server.operation.duration');
    expect(server.find((p) => p.attributes['gen_ai.tool.name'] === 'fail')?.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.operation.name': 'execute_tool',
      'error.type': 'tool_error',
      'network.transport': 'tcp',
      'network.protocol.name': 'http',
    });
    expect(
      server.find((p) => p.attributes['mcp.method.name'] === 'no/such-method')?.attributes,
    ).toMatchObject({ 'rpc.response.status_code': '-32601' });
    const client = points(pipeline, 'mcp.client.operation.duration');
    expect(
      client.find((p) => p.attributes['mcp.method.name'] === 'no/such-method')?.attributes,
    ).toMatchObject({
      'rpc.response.status_code': '-32601',
      'error.type': '-32601',
      'server.address': '127.0.0.1',
    });
    expect(points(pipeline, 'mcp.client.session.duration')[0]?.attributes).toMatchObject({
      'mcp.protocol.version': expect.any(String),
      'server.address': '127.0.0.1',
    });
  });

  it('carries traceparent, tracestate and baggage in params._meta and links the ambient HTTP span', async () => {
    const { pipeline, client, httpSpans } = await overHttp();
    const caller = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      traceState: new TraceState('rojo=00f067aa0ba902b7'),
    });
    const withBaggage = propagation.setBaggage(
      caller,
      propagation.createBaggage({ user: { value: 'alice' } }),
    );
    const answer = await context.with(withBaggage, () => client.callTool({ name: 'whoami', arguments: {} }));
    expect(answer.content).toEqual([{ type: 'text', text: 'alice' }]);
    await pipeline.shutdown();

    const [served, sent] = [1, 2].map((kind) =>
      mcpSpans(pipeline).find((s) => s.kind === kind && s.name === 'tools/call whoami'),
    ) as [ReadableSpan, ReadableSpan];
    // The client span is the server span's parent across the wire, in the caller's trace.
    expect(sent.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(served.spanContext().traceId).toBe(sent.spanContext().traceId);
    expect(served.parentSpanContext?.spanId).toBe(sent.spanContext().spanId);
    expect(served.spanContext().traceState?.serialize()).toBe('rojo=00f067aa0ba902b7');
    // The HTTP request that carried it is linked, not the parent: MCP and HTTP contexts are independent.
    const links = served.links.map((l) => l.context.spanId);
    expect(links).toHaveLength(1);
    expect(httpSpans.map((s) => s.spanId)).toContain(links[0]);
  });

  it('sets jsonrpc.request.id only when the request has an id (0 is one; null is none)', async () => {
    const pipeline = await startPipeline(CONFIG('{}'), { plugins: builtins });
    cleanups.push(() => pipeline.shutdown());
    const hooks = pipeline.engine.sharedOf<McpHooks>('mcp');
    const session = hooks?.session({ side: 'server', transport: 'pipe' });
    const call = (id: unknown) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo' } });
    session?.incoming(call(0));
    session?.outgoing({ jsonrpc: '2.0', id: 0, result: { content: [] } });
    // `"id": null` is discouraged and not an id: nothing to answer by, so no span.
    session?.incoming(call(null));
    session?.outgoing({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } });
    session?.close();
    await pipeline.shutdown();
    expect(mcpSpans(pipeline).map((s) => [s.name, s.attributes['jsonrpc.request.id']])).toEqual([
      ['tools/call echo', '0'],
    ]);
  });

  it('never sets mcp.session.id for 2026-07-28 traffic, even on a transport with a session id', async () => {
    expect(registryNote('mcp.session.id')).toMatch(/MUST NOT be set\s+for a 2026-07-28-and-later session/);
    const pipeline = await startPipeline(CONFIG('{}'), { plugins: builtins });
    cleanups.push(() => pipeline.shutdown());
    const transport = instrumentMcpServer(new InProcessTransport('a-transport-session'), pipeline.engine);
    await converse(inProcessWire(transport));
    await pipeline.shutdown();
    // The conversation's last request states 2025-11-25 (and is refused): not 2026-07-28 traffic.
    const all = mcpSpans(pipeline).filter((s) => s.attributes['mcp.protocol.version'] === '2026-07-28');
    expect(all.length).toBe(9);
    const model = spanModel('mcp.server').attributes;
    for (const span of all) {
      expect(span.attributes).not.toHaveProperty('mcp.session.id');
      for (const key of Object.keys(span.attributes)) expect(defines(model, key), key).toBe(true);
      expect(METHODS.has(span.attributes['mcp.method.name'] as string)).toBe(true);
    }
  });
});
