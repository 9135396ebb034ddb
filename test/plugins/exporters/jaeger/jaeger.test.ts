import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkConformance, makeSpans, startPipeline } from '../../../../core/testing/index.js';
import jaeger from '../../../../plugins/exporters/jaeger/index.js';
import { HttpBackend, type ReceivedRequest, UdpAgent } from '../decoders/backends.js';
import { byName, micros, toolSpans } from '../decoders/data.js';
import { exporterUnderTest } from '../decoders/exporter-harness.js';
import {
  decodeAgentPacket,
  decodeCollectorBatch,
  isOneway,
  type JaegerBatch,
  type JaegerSpan,
} from '../decoders/jaeger-thrift.js';
import { attributesOf, decodeOtlp, spansOf } from '../decoders/otlp.js';

const quickRetry = { initial_interval: '10ms', max_interval: '10ms', randomization_factor: 0 };

/**
 * What a Jaeger batch must hold of `toolSpans()` (SDK 2.12 spans through exporter-jaeger 2.11, which
 * pins sdk-trace 2.11): ids, the parent link, tags from attributes and status, events as logs, the
 * link as a FOLLOWS_FROM reference, times in microseconds.
 */
function expectToolBatch(batch: JaegerBatch, sent: ReadableSpan[]) {
  const original = byName(sent);
  expect(batch.process.serviceName).toBe('mcp-server');
  const spans = Object.fromEntries(batch.spans.map((s) => [s.operationName, s])) as Record<
    string,
    JaegerSpan
  >;
  expect(Object.keys(spans).sort()).toEqual(['POST /mcp', 'initialize', 'tool_execution_search']);
  const {
    'POST /mcp': request,
    tool_execution_search: tool,
    initialize,
  } = spans as Record<string, JaegerSpan>;
  const sdkRequest = original['POST /mcp'];
  if (!request || !tool || !initialize || !sdkRequest) throw new Error('a span is missing');

  expect(request.traceId).toBe(sdkRequest.spanContext().traceId);
  expect(request.spanId).toBe(sdkRequest.spanContext().spanId);
  expect(request.parentSpanId).toBe('0000000000000000');
  expect(request.startTime).toBe(micros(sdkRequest));
  expect(request.tags).toMatchObject({
    'span.kind': 'server',
    'http.request.method': 'POST',
    'http.response.status_code': 200,
    'service.name': 'mcp-server',
    'otel.library.name': 'mcp.server',
  });

  expect(tool.traceId).toBe(request.traceId);
  expect(tool.parentSpanId).toBe(request.spanId);
  expect(tool.tags).toMatchObject({
    'tool.name': 'search',
    'tool.attempt': 2,
    'tool.cached': false,
    'tool.score': 0.5,
    'otel.status_code': 'ERROR',
    'otel.status_description': 'upstream timed out',
    error: true,
  });
  expect(tool.logs.map((l) => l.fields)).toEqual([{ event: 'tool.started', attempt: 2 }]);
  expect(tool.references).toEqual([
    { refType: 'FOLLOWS_FROM', traceId: initialize.traceId, spanId: initialize.spanId },
  ]);
  expect(initialize.traceId).not.toBe(request.traceId);
}

describe('jaeger exporter config', () => {
  it('defaults to OTLP/HTTP', () => {
    expect(jaeger.config.parse({})).toMatchObject({ protocol: 'otlp-http', headers: {}, timeout: 5000 });
  });

  it('refuses keys the chosen protocol does not read', () => {
    const issues = (config: unknown) =>
      jaeger.config.safeParse(config).error?.issues.map((i) => [i.path, i.message]);
    expect(issues({ agent_port: 6832 })).toEqual([
      [['agent_port'], 'agent_port applies to protocol thrift-udp, not otlp-http'],
    ]);
    expect(issues({ protocol: 'thrift-udp', endpoint: 'http://jaeger:14268/api/traces' })).toEqual([
      [['endpoint'], 'endpoint applies to protocol otlp-http or thrift-http, not thrift-udp'],
    ]);
    expect(issues({ protocol: 'thrift-http', headers: { authorization: 'x' } })).toEqual([
      [['headers'], 'headers applies to protocol otlp-http, not thrift-http'],
    ]);
    expect(issues({ protocol: 'thrift-http', username: 'jaeger' })).toEqual([
      [['password'], 'username and password go together: set both or neither'],
    ]);
    expect(
      issues({ protocol: 'thrift-udp', agent_host: 'agent', agent_port: 6832, max_packet_size: 9000 }),
    ).toBeUndefined();
    expect(issues({ protocol: 'zipkin' })).toHaveLength(1);
  });
});

describe('jaeger exporter', () => {
  let backend: HttpBackend;
  beforeEach(async () => {
    backend = await HttpBackend.start();
  });
  afterEach(async () => {
    await backend.close();
  });

  it('meets the component contract with each protocol', async () => {
    for (const config of [
      { endpoint: backend.url },
      { protocol: 'thrift-http', endpoint: `${backend.url}/api/traces` },
      { protocol: 'thrift-udp', agent_host: '127.0.0.1' },
    ]) {
      expect(await checkConformance(jaeger, { config })).toEqual(['traces']);
    }
  });

  it('sends OTLP/HTTP protobuf to /v1/traces by default, as the otlp exporter does', async () => {
    const pipeline = await startPipeline(
      `
receivers: { push: {} }
exporters:
  jaeger: { endpoint: ${backend.url} }
service:
  pipelines:
    traces: { receivers: [push], exporters: [jaeger] }
`,
      { plugins: [jaeger] },
    );
    const sent = toolSpans();
    await pipeline.push('traces', sent);
    await pipeline.shutdown();

    expect(backend.requests).toHaveLength(1);
    const [request] = backend.requests as [ReceivedRequest];
    expect(request).toMatchObject({ method: 'POST', path: '/v1/traces' });
    expect(request.headers).toMatchObject({
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    });
    const spans = spansOf(decodeOtlp('traces', request.body, 'application/x-protobuf'));
    const tool = spans.find((s) => s.name === 'tool_execution_search');
    const parent = spans.find((s) => s.name === 'POST /mcp');
    expect(tool).toMatchObject({
      parentSpanId: parent?.spanId,
      traceId: byName(sent)['POST /mcp']?.spanContext().traceId,
      status: { code: 'STATUS_CODE_ERROR', message: 'upstream timed out' },
    });
    expect(attributesOf(tool?.attributes ?? [])).toMatchObject({ 'tool.name': 'search' });
  });

  it('posts a Thrift Batch to a Jaeger v1 collector with thrift-http, with basic auth', async () => {
    const pipeline = await startPipeline(
      `
receivers: { push: {} }
exporters:
  jaeger:
    protocol: thrift-http
    endpoint: ${backend.url}/api/traces
    username: jaeger
    password: \${env:JAEGER_PASSWORD}
service:
  pipelines:
    traces: { receivers: [push], exporters: [jaeger] }
`,
      { plugins: [jaeger], env: { JAEGER_PASSWORD: 'pa55' } },
    );
    const sent = toolSpans();
    await pipeline.push('traces', sent);
    await pipeline.shutdown();

    expect(backend.requests).toHaveLength(1);
    const [request] = backend.requests as [ReceivedRequest];
    expect(request).toMatchObject({ method: 'POST', path: '/api/traces' });
    expect(request.headers['content-type']).toBe('application/x-thrift');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('jaeger:pa55').toString('base64')}`);
    expectToolBatch(decodeCollectorBatch(request.body), sent);
  });

  it('emits Agent.emitBatch packets in binary Thrift to a Jaeger agent with thrift-udp', async () => {
    const agent = await UdpAgent.start();
    try {
      const pipeline = await startPipeline(
        `
receivers: { push: {} }
exporters:
  jaeger: { protocol: thrift-udp, agent_host: 127.0.0.1, agent_port: ${agent.port} }
service:
  pipelines:
    traces: { receivers: [push], exporters: [jaeger] }
`,
        { plugins: [jaeger] },
      );
      const sent = toolSpans();
      await pipeline.push('traces', sent);
      await pipeline.shutdown();
      await agent.received(1);

      expect(agent.packets).toHaveLength(1);
      const { method, messageType, batch } = decodeAgentPacket(agent.packets[0] as Buffer);
      expect(method).toBe('emitBatch');
      expect(isOneway('Agent', 'emitBatch')).toBe(true);
      expect(messageType).toBe('ONEWAY');
      expectToolBatch(batch, sent);
    } finally {
      await agent.close();
    }
  });

  it('sends each service’s spans under its own Jaeger process', async () => {
    const pipeline = await startPipeline(
      `
receivers: { push: {} }
exporters:
  jaeger: { protocol: thrift-http, endpoint: ${backend.url}/api/traces }
service:
  pipelines:
    traces: { receivers: [push], exporters: [jaeger] }
`,
      { plugins: [jaeger] },
    );
    const gateway = toolSpans(resourceFromAttributes({ 'service.name': 'mcp-gateway' }));
    await pipeline.push('traces', [...toolSpans(), ...gateway]);
    await pipeline.shutdown();

    const batches = backend.requests.map((r) => decodeCollectorBatch(r.body));
    expect(batches.map((b) => [b.process.serviceName, b.spans.length])).toEqual([
      ['mcp-server', 3],
      ['mcp-gateway', 3],
    ]);
    expect(batches[1]?.spans.every((s) => s.tags['service.name'] === 'mcp-gateway')).toBe(true);
  });

  it('retries a collector’s 503, one request per attempt, and delivers the batch once', async () => {
    backend.reply = (_request, index) => (index < 2 ? { status: 503 } : { status: 202 });
    const run = exporterUnderTest(
      jaeger,
      { protocol: 'thrift-http', endpoint: `${backend.url}/api/traces`, retry_on_failure: quickRetry },
      'traces',
    );
    const sent = toolSpans();
    await run.exporter.start(run.host);
    await run.exporter.consume(sent);
    await run.stop();

    expect(backend.requests).toHaveLength(3);
    // Logged once per outage: the first failure, then the count once a send succeeds.
    expect(run.logs.filter((l) => l.msg === 'send failed; will retry').map((l) => l.error)).toEqual([
      `${backend.url}/api/traces answered HTTP 503`,
    ]);
    expect(run.logs.find((l) => l.msg.startsWith('sends succeed again'))).toMatchObject({
      failed_attempts: 2,
    });
    expectToolBatch(decodeCollectorBatch((backend.requests[2] as ReceivedRequest).body), sent);
    expect(await run.metric('tributary_exporter_sent_items')).toBe(3);
  });

  it('does not retry a collector’s 400: the batch is counted failed', async () => {
    backend.reply = () => ({ status: 400 });
    const run = exporterUnderTest(
      jaeger,
      { protocol: 'thrift-http', endpoint: `${backend.url}/api/traces` },
      'traces',
    );
    await run.exporter.start(run.host);
    await run.exporter.consume(toolSpans());
    await run.stop();

    expect(backend.requests).toHaveLength(1);
    expect(await run.metric('tributary_exporter_send_failed_items')).toBe(3);
    expect(run.logs.find((l) => l.msg.startsWith('send failed (permanent error)'))?.error).toBe(
      `${backend.url}/api/traces answered HTTP 400`,
    );
  });

  it('gives up a collector request that outlasts timeout and sends it again on a fresh connection', async () => {
    backend.reply = (_request, index) => (index === 0 ? { hang: true } : { status: 202 });
    const run = exporterUnderTest(
      jaeger,
      {
        protocol: 'thrift-http',
        endpoint: `${backend.url}/api/traces`,
        timeout: '100ms',
        retry_on_failure: quickRetry,
      },
      'traces',
    );
    await run.exporter.start(run.host);
    await run.exporter.consume(toolSpans());
    await run.stop();

    expect(backend.requests).toHaveLength(2);
    expect(run.logs.find((l) => l.msg === 'send failed; will retry')?.error).toBe(
      'send timed out after 100ms',
    );
    expect(await run.metric('tributary_exporter_sent_items')).toBe(3);
  });

  it('keeps UDP when OTEL_EXPORTER_JAEGER_ENDPOINT is set for the host’s own SDK', async () => {
    const agent = await UdpAgent.start();
    const saved = process.env.OTEL_EXPORTER_JAEGER_ENDPOINT;
    process.env.OTEL_EXPORTER_JAEGER_ENDPOINT = `${backend.url}/api/traces`;
    try {
      const run = exporterUnderTest(
        jaeger,
        { protocol: 'thrift-udp', agent_host: '127.0.0.1', agent_port: agent.port },
        'traces',
      );
      const sent = toolSpans();
      await run.exporter.start(run.host);
      await run.exporter.consume(sent);
      await run.stop();
      await agent.received(1);
      expect(backend.requests).toHaveLength(0);
      expectToolBatch(decodeAgentPacket(agent.packets[0] as Buffer).batch, sent);
    } finally {
      if (saved === undefined) delete process.env.OTEL_EXPORTER_JAEGER_ENDPOINT;
      else process.env.OTEL_EXPORTER_JAEGER_ENDPOINT = saved;
      await agent.close();
    }
  });

  it('fails, without retrying, a span larger than max_packet_size', async () => {
    const agent = await UdpAgent.start();
    try {
      const run = exporterUnderTest(
        jaeger,
        { protocol: 'thrift-udp', agent_host: '127.0.0.1', agent_port: agent.port, max_packet_size: 1024 },
        'traces',
      );
      await run.exporter.start(run.host);
      await run.exporter.consume(makeSpans(1, 'x'.repeat(2000)));
      await run.stop();
      expect(await run.metric('tributary_exporter_send_failed_items')).toBe(1);
      expect(run.logs.find((l) => l.msg.startsWith('send failed (permanent error)'))?.error).toMatch(
        /^span size \d+ is larger than maxSpanSize \d+$/,
      );
      expect(run.logs.filter((l) => l.msg === 'send failed; will retry')).toEqual([]);
    } finally {
      await agent.close();
    }
  });

  it('warns that 6831 is the agent’s compact port', async () => {
    const run = exporterUnderTest(jaeger, { protocol: 'thrift-udp', agent_port: 6831 }, 'traces');
    await run.exporter.start(run.host);
    await run.stop();
    expect((await run.logged('compact Thrift port')).level).toBe(40);
  });
});
