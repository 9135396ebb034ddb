// The spans the hooks build from what a request carries, against a real pipeline: the content the
// OpenTelemetry SDK would have recorded (ids, parent, sampling, timing, the Span API for handlers).
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningPipeline, startPipeline } from '../../../../core/testing/index.js';
import { builtins } from '../../../../plugins/index.js';
import type { McpTelemetry } from '../../../../plugins/receivers/mcp/telemetry.js';

const CONFIG = `receivers: { mcp: {} }
exporters: { sink: }
service:
  pipelines:
    traces: { receivers: [mcp], exporters: [sink] }
    logs: { receivers: [mcp], exporters: [sink] }
`;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

let pipeline: RunningPipeline | undefined;
afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = undefined;
});

/** A server session whose handlers run in the request's context, as in-process hooks once it is read. */
async function serverSession() {
  pipeline = await startPipeline(CONFIG, { plugins: builtins });
  const telemetry = pipeline.engine.sharedOf<McpTelemetry>('mcp') as McpTelemetry;
  const session = telemetry.session({
    side: 'server',
    transport: 'pipe',
    handlerContext: { propagating: true },
  });
  return { pipeline, session };
}

const call = (id: number, meta?: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text: 'hi' }, ...(meta ? { _meta: meta } : {}) },
});
const answer = (id: number) => ({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: 'hi' }] } });
const spans = (p: RunningPipeline) => p.recorded.items('traces') as ReadableSpan[];
const logs = (p: RunningPipeline) => p.recorded.items('logs') as ReadableLogRecord[];

describe('the spans the mcp hooks record', () => {
  it('is a complete ReadableSpan, timed from the request to its response', async () => {
    const { pipeline, session } = await serverSession();
    const before = Date.now();
    session.incoming(call(7));
    await new Promise((resolve) => setTimeout(resolve, 20));
    session.outgoing(answer(7));
    await pipeline.shutdown();

    const [span] = spans(pipeline);
    expect(span).toMatchObject({
      name: 'tools/call echo',
      kind: SpanKind.SERVER,
      parentSpanContext: undefined,
      status: { code: SpanStatusCode.UNSET },
      links: [],
      events: [],
      ended: true,
      instrumentationScope: { name: 'tributary-mcp' },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    });
    expect(span?.attributes).toEqual({
      'mcp.method.name': 'tools/call',
      'jsonrpc.request.id': '7',
      'gen_ai.tool.name': 'echo',
      'gen_ai.operation.name': 'execute_tool',
      'network.transport': 'pipe',
    });
    expect(span?.resource.attributes['service.name']).toBe('mcp-server');
    expect(span?.spanContext()).toMatchObject({ traceFlags: 1 });
    const ms = ([s, ns]: [number, number]) => s * 1000 + ns / 1e6;
    expect(ms(span?.duration as [number, number])).toBeGreaterThanOrEqual(15);
    expect(ms(span?.endTime as [number, number]) - ms(span?.startTime as [number, number])).toBeCloseTo(
      ms(span?.duration as [number, number]),
      3,
    );
    expect(ms(span?.startTime as [number, number])).toBeGreaterThanOrEqual(before - 1);
    // The logs of the request carry its span's ids.
    for (const record of logs(pipeline)) expect(record.spanContext).toEqual(span?.spanContext());
  });

  it('names the resource a request reads, and the prompt it gets', async () => {
    const { pipeline, session } = await serverSession();
    const uri = 'file:///notes/today.md';
    session.incoming({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri } });
    session.outgoing({ jsonrpc: '2.0', id: 1, result: { contents: [] } });
    session.incoming({ jsonrpc: '2.0', id: 2, method: 'prompts/get', params: { name: 'greet' } });
    session.outgoing({ jsonrpc: '2.0', id: 2, result: { messages: [] } });
    await pipeline.shutdown();

    const [read, prompt] = spans(pipeline);
    expect(read?.name).toBe('resources/read');
    expect(read?.attributes['mcp.resource.uri']).toBe(uri);
    expect(prompt?.name).toBe('prompts/get greet');
    expect(prompt?.attributes['gen_ai.prompt.name']).toBe('greet');
    expect(prompt?.attributes).not.toHaveProperty('gen_ai.tool.name');
  });

  it('joins the trace in params._meta, and records no span when that trace is not sampled', async () => {
    const { pipeline, session } = await serverSession();
    session.incoming(call(1, { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` }));
    session.outgoing(answer(1));
    const unsampled = '0af7651916cd43dd8448eb211c80319c';
    session.incoming(call(2, { traceparent: `00-${unsampled}-${PARENT_ID}-00` }));
    session.outgoing(answer(2));
    await pipeline.shutdown();

    const recorded = spans(pipeline);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.spanContext().traceId).toBe(TRACE_ID);
    expect(recorded[0]?.parentSpanContext).toMatchObject({
      traceId: TRACE_ID,
      spanId: PARENT_ID,
      isRemote: true,
    });
    const unsampledLogs = logs(pipeline).filter((l) => l.attributes.request_id === '2');
    expect(unsampledLogs.map((l) => l.body)).toEqual(['Request started', 'Request completed']);
    for (const record of unsampledLogs)
      expect(record.spanContext).toMatchObject({ traceId: unsampled, traceFlags: 0 });
  });

  it('keeps what handler code sets on the active span, within the SDK limits', async () => {
    const { pipeline, session } = await serverSession();
    // The context the handler runs in, where `trace.getActiveSpan()` finds the request's span.
    const ctx = session.incoming(call(3, { progressToken: 'p' }));
    const request = ctx && trace.getSpan(ctx);
    expect(request?.isRecording()).toBe(true);
    request?.setAttribute('app.user', 'ada');
    request?.setAttribute('app.bad', { nested: true } as never);
    request?.addEvent('cache miss', { 'app.key': 'k' });
    for (let n = 0; n < 130; n++) request?.addEvent('tick');
    request?.setStatus({ code: SpanStatusCode.OK });
    request?.updateName('echo, renamed');
    session.incoming({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 'p', progress: 1 },
    });
    session.outgoing(answer(3));
    request?.setAttribute('app.late', 'ignored');
    await pipeline.shutdown();

    const [span] = spans(pipeline);
    expect(span?.name).toBe('echo, renamed');
    expect(span?.status).toEqual({ code: SpanStatusCode.OK });
    expect(span?.attributes['app.user']).toBe('ada');
    expect(span?.attributes).not.toHaveProperty('app.bad');
    expect(span?.attributes).not.toHaveProperty('app.late');
    expect(span?.events).toHaveLength(128);
    expect(span?.droppedEventsCount).toBe(4);
    expect(span?.events.at(-1)).toMatchObject({ name: 'progress', attributes: { 'mcp.progress': 1 } });
  });
});
