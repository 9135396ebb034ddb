// The mcp receiver fed by in-process hooks: a real SDK 1.x McpServer and Client over an in-memory pair.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { DiagLogLevel, diag, trace } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { DataPoint, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePlugin, RetryableError } from '../../../../core/index.js';
import { type RunningPipeline, startPipeline } from '../../../../core/testing/index.js';
import { builtins } from '../../../../plugins/index.js';
import { instrumentMcpClient, instrumentMcpServer } from '../../../../plugins/receivers/mcp/instrument.js';
import type { McpTelemetry } from '../../../../plugins/receivers/mcp/telemetry.js';

const CONFIG = (mcp = '{}') => `receivers: { mcp: ${mcp} }
exporters: { sink: }
service:
  pipelines:
    traces: { receivers: [mcp], exporters: [sink] }
    metrics: { receivers: [mcp], exporters: [sink] }
    logs: { receivers: [mcp], exporters: [sink] }
`;

function makeServer() {
  const server = new McpServer({ name: 'test-server', version: '1.0.0' });
  server.registerTool('add', { inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => {
    trace.getTracer('app').startActiveSpan('database lookup', (span) => span.end());
    return { content: [{ type: 'text', text: String(a + b) }] };
  });
  server.registerTool('fail', { inputSchema: { token: z.string() } }, async () => ({
    isError: true,
    content: [{ type: 'text', text: 'upstream said no' }],
  }));
  server.registerPrompt('greet', { argsSchema: { name: z.string() } }, ({ name }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Hello ${name}` } }],
  }));
  return server;
}

let pipeline: RunningPipeline | undefined;
afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = undefined;
});

async function connectedPair(mcpConfig?: string) {
  pipeline = await startPipeline(CONFIG(mcpConfig), { plugins: builtins });
  const server = instrumentMcpServer(makeServer(), pipeline.engine);
  const client = instrumentMcpClient(new Client({ name: 'test-client', version: '1.0.0' }), pipeline.engine);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  return { server, client, pipeline };
}

const spans = (p: RunningPipeline) => p.recorded.items('traces') as ReadableSpan[];
const logs = (p: RunningPipeline) => p.recorded.items('logs') as ReadableLogRecord[];
function points(p: RunningPipeline, name: string): DataPoint<unknown>[] {
  return (p.recorded.items('metrics') as ResourceMetrics[])
    .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
    .filter((m) => m.descriptor.name === name)
    .flatMap((m) => m.dataPoints as DataPoint<unknown>[]);
}

describe('mcp receiver, in-process hooks', () => {
  it('gives each request a SERVER span named after its method and tool, joined to the client span', async () => {
    const { client, pipeline } = await connectedPair();
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    expect(result.content).toEqual([{ type: 'text', text: '5' }]);
    for (let a = 0; a < 2; a++) await client.callTool({ name: 'add', arguments: { a, b: 1 } });
    await pipeline.shutdown();

    const all = spans(pipeline);
    const served = all.filter((s) => s.name === 'tools/call add' && s.kind === 1);
    const sent = all.filter((s) => s.name === 'tools/call add' && s.kind === 2);
    const [server, clientSpan] = [served[0], sent[0]];
    expect(server?.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'add',
      'gen_ai.operation.name': 'execute_tool',
      'jsonrpc.request.id': expect.any(String),
      'mcp.protocol.version': expect.any(String),
    });
    expect(server?.attributes).not.toHaveProperty('gen_ai.tool.call.arguments');
    expect(server?.status).toEqual({ code: 0 });
    expect(server?.spanContext().traceId).toBe(clientSpan?.spanContext().traceId);
    expect(server?.parentSpanContext?.spanId).toBe(clientSpan?.spanContext().spanId);
    expect(all.find((s) => s.name === 'initialize')?.kind).toBe(1);

    // Spans the handler starts join the request's span once something in the process has read the
    // active context: the first handler to read it switches propagation on (see the README).
    const children = all.filter((s) => s.name === 'database lookup');
    expect(served).toHaveLength(3);
    expect(children).toHaveLength(3);
    for (const n of [1, 2]) {
      expect(children[n]?.spanContext().traceId).toBe(served[n]?.spanContext().traceId);
      expect(children[n]?.parentSpanContext?.spanId).toBe(served[n]?.spanContext().spanId);
    }
  });

  it('marks a tool result with isError as tool_error and logs the failure', async () => {
    const { client, pipeline } = await connectedPair();
    await client.callTool({ name: 'fail', arguments: { token: 'x' } });
    await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });
    await expect(client.callTool({ name: 'missing', arguments: {} })).resolves.toMatchObject({
      isError: true,
    });
    await pipeline.shutdown();

    const failed = spans(pipeline).find((s) => s.name === 'tools/call fail' && s.kind === 1);
    expect(failed?.status.code).toBe(2);
    expect(failed?.attributes['error.type']).toBe('tool_error');
    expect(
      spans(pipeline).find((s) => s.name === 'prompts/get greet')?.attributes['gen_ai.prompt.name'],
    ).toBe('greet');

    const failure = logs(pipeline).find(
      (l) => l.body === 'Tool execution failed' && l.attributes.tool_name === 'fail',
    );
    expect(failure?.attributes).toMatchObject({ error: 'upstream said no', error_type: 'tool_error' });
    expect(failure?.spanContext?.spanId).toBe(failed?.spanContext().spanId);
    const completed = logs(pipeline).filter(
      (l) => l.body === 'Request completed' && l.attributes.method === 'tools/call',
    );
    expect(completed.map((l) => l.attributes.status)).toEqual(['error', 'error']);
    expect(completed[0]?.attributes).toMatchObject({
      request_id: expect.any(String),
      tool_name: 'fail',
      duration_ms: expect.any(Number),
      response_size: expect.any(Number),
    });
    expect(logs(pipeline).filter((l) => l.body === 'Request started').length).toBeGreaterThanOrEqual(4);
  });

  it('records the guide metrics and the semantic-convention histograms', async () => {
    const { client, pipeline } = await connectedPair();
    await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    await client.callTool({ name: 'fail', arguments: { token: 'x' } });
    await pipeline.shutdown();

    const requests = points(pipeline, 'mcp_requests_total');
    expect(
      requests.find((p) => p.attributes.method === 'tools/call' && p.attributes.endpoint === 'add')?.value,
    ).toBe(2);
    const tools = points(pipeline, 'mcp_tool_executions_total');
    expect(tools.find((p) => p.attributes.tool === 'add' && p.attributes.status === 'success')?.value).toBe(
      2,
    );
    expect(tools.find((p) => p.attributes.tool === 'fail' && p.attributes.status === 'error')?.value).toBe(1);
    const duration = points(pipeline, 'mcp_request_duration_seconds').find(
      (p) => p.attributes.method === 'tools/call',
    );
    expect(duration?.value).toMatchObject({ count: 3 });
    const semconv = points(pipeline, 'mcp.server.operation.duration').filter(
      (p) => p.attributes['gen_ai.tool.name'] === 'add',
    );
    expect(semconv[0]?.value).toMatchObject({ count: 2 });
    expect(points(pipeline, 'mcp.client.operation.duration').length).toBeGreaterThan(0);
    expect(points(pipeline, 'mcp_active_connections')[0]?.value).toBe(1);
  });

  it('captures arguments and results only when enabled, truncated and with secrets masked', async () => {
    const { client, pipeline } = await connectedPair(
      '{ capture: { arguments: true, results: true, max_length: 40 } }',
    );
    await client.callTool({ name: 'fail', arguments: { token: 'hunter2' } });
    await client.callTool({ name: 'add', arguments: { a: 2, b: 2 } });
    await pipeline.shutdown();
    const failed = spans(pipeline).find((s) => s.name === 'tools/call fail' && s.kind === 1);
    expect(failed?.attributes['gen_ai.tool.call.arguments']).toBe('{"token":"[REDACTED]"}');
    const added = spans(pipeline).find((s) => s.name === 'tools/call add' && s.kind === 1);
    expect(String(added?.attributes['gen_ai.tool.call.result'])).toMatch(
      /^\{"content":\[\{"type":"text","text":"4"\}\]\}$|…\[\d+ more\]$/,
    );
  });
});

describe('registerGlobal', () => {
  it('sets the global tracer provider only when none is set: no error per server instrumented', async () => {
    pipeline = await startPipeline(CONFIG(), { plugins: builtins });
    const errors: string[] = [];
    const logger = { error: (m: string) => errors.push(m), warn() {}, info() {}, debug() {}, verbose() {} };
    diag.setLogger(logger, DiagLogLevel.ERROR);
    try {
      // One McpServer per session, as Streamable HTTP servers make them.
      for (let n = 0; n < 3; n++) instrumentMcpServer(makeServer(), pipeline.engine);
    } finally {
      diag.disable();
    }
    expect(errors).toEqual([]);
    expect(trace.getTracer('handler').startSpan('x').isRecording()).toBe(true);
  });
});

describe('mcp hooks never break the server', () => {
  it('keeps serving when the pipeline refuses everything', async () => {
    const refusing = definePlugin({
      kind: 'exporter',
      type: 'refusing',
      stability: { traces: 'development', logs: 'development', metrics: 'development' },
      config: z.strictObject({}),
      create: Object.fromEntries(
        (['traces', 'metrics', 'logs'] as const).map((s) => [
          s,
          () => ({
            start: async () => {},
            shutdown: async () => {},
            consume: async () => Promise.reject(new RetryableError('full')),
          }),
        ]),
      ),
    } as never);
    pipeline = await startPipeline(
      CONFIG().replaceAll('[sink]', '[refusing]').replace('exporters: { sink: }', 'exporters: { refusing: }'),
      {
        plugins: [...builtins, refusing],
      },
    );
    const server = instrumentMcpServer(makeServer(), pipeline.engine);
    const client = new Client({ name: 'c', version: '1' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    for (let i = 0; i < 5; i++)
      expect((await client.callTool({ name: 'add', arguments: { a: i, b: 1 } })).content).toEqual([
        { type: 'text', text: String(i + 1) },
      ]);
  });

  it('keeps serving when the hooks themselves fail, and counts the failures', async () => {
    const { client, pipeline } = await connectedPair();
    const telemetry = pipeline.engine.sharedOf<McpTelemetry>('mcp') as McpTelemetry;
    telemetry.trustedProxies.clientAddress = () => {
      throw new Error('a bug in the hooks');
    };
    expect((await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } })).content).toEqual([
      { type: 'text', text: '3' },
    ]);
    await pipeline.shutdown();
    expect(points(pipeline, 'tributary_mcp_hook_errors')[0]?.value).toBeGreaterThan(0);
  });
});

describe('requests in both directions', () => {
  it('keeps a tool call and the sampling requests its handler sends apart, though their ids collide', async () => {
    pipeline = await startPipeline(CONFIG(), { plugins: builtins });
    const server = makeServer();
    server.registerTool('summarize', { inputSchema: { text: z.string() } }, async ({ text }) => {
      for (let i = 0; i < 2; i++) {
        await server.server.createMessage({
          messages: [{ role: 'user', content: { type: 'text', text } }],
          maxTokens: 5,
        });
      }
      return { content: [{ type: 'text', text: 'summarized' }] };
    });
    instrumentMcpServer(server, pipeline.engine);
    const client = new Client({ name: 'c', version: '1' }, { capabilities: { sampling: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({
      role: 'assistant',
      content: { type: 'text', text: 'ok' },
      model: 'test',
    }));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    expect((await client.callTool({ name: 'summarize', arguments: { text: 'long' } })).content).toEqual([
      { type: 'text', text: 'summarized' },
    ]);
    await pipeline.shutdown();
    const names = spans(pipeline).map((s) => `${s.kind === 1 ? 'SERVER' : 'CLIENT'} ${s.name}`);
    expect(names).toContain('SERVER tools/call summarize');
    expect(names.filter((n) => n === 'CLIENT sampling/createMessage')).toHaveLength(2);
    expect(
      points(pipeline, 'mcp_tool_executions_total').find((p) => p.attributes.tool === 'summarize')?.value,
    ).toBe(1);
  });
});

describe('metric cardinality', () => {
  it('folds client-chosen names past 2000 series into one _OTHER series', async () => {
    const { OperationStats } = await import('../../../../plugins/receivers/mcp/operations.js');
    const stats = new OperationStats();
    for (let i = 0; i < 5000; i++)
      stats.record({ side: 'server', method: `junk/${i}`, error: '-32601' }, 0.001);
    const { resourceMetrics } = await stats.collect();
    const requests = resourceMetrics.scopeMetrics[0]?.metrics.find(
      (m) => m.descriptor.name === 'mcp_requests_total',
    );
    expect(requests?.dataPoints).toHaveLength(2001);
    expect(requests?.dataPoints.find((p) => p.attributes.method === '_OTHER')?.value).toBe(3000);
  });
});
