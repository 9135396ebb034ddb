import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signalUrl } from '../../../../core/otlp/index.js';
import { checkConformance, makeSpans, startPipeline } from '../../../../core/testing/index.js';
import otlp from '../../../../plugins/exporters/otlp/index.js';
import { closedPort, HttpBackend, type ReceivedRequest, type Reply } from '../decoders/backends.js';
import { byName, mcpLogs, mcpMetrics, nanos, toolSpans } from '../decoders/data.js';
import { exporterUnderTest } from '../decoders/exporter-harness.js';
import {
  attributesOf,
  decodeOtlp,
  type LogRecord,
  logRecordsOf,
  type Metric,
  metricsOf,
  plainValue,
  type Span,
  spansOf,
} from '../decoders/otlp.js';

// Fast retries, no jitter: the failure tests wait for attempts, never for a clock.
const quickRetry =
  'retry_on_failure: { initial_interval: 10ms, max_interval: 10ms, randomization_factor: 0 }';

function decode<S extends 'traces' | 'metrics' | 'logs'>(signal: S, request: ReceivedRequest) {
  return decodeOtlp(signal, request.body, String(request.headers['content-type']));
}

/** What the decoded spans must hold of `toolSpans()`: names, ids, parent links, attributes, events, status. */
function expectToolSpans(decoded: Span[], sent: ReadableSpan[]) {
  const spans = Object.fromEntries(decoded.map((s) => [s.name, s]));
  const { 'POST /mcp': request, tool_execution_search: tool, initialize } = spans;
  const sdkRequest = byName(sent)['POST /mcp'];
  expect(Object.keys(spans).sort()).toEqual(['POST /mcp', 'initialize', 'tool_execution_search']);
  if (!request || !tool || !initialize || !sdkRequest) throw new Error('a span is missing');
  expect(request).toMatchObject({
    kind: 'SPAN_KIND_SERVER',
    traceId: sdkRequest.spanContext().traceId,
    spanId: sdkRequest.spanContext().spanId,
    parentSpanId: '',
    startTimeUnixNano: nanos(sdkRequest),
  });
  expect(attributesOf(request.attributes)).toEqual({
    'http.request.method': 'POST',
    'http.response.status_code': 200,
  });
  expect(tool).toMatchObject({
    kind: 'SPAN_KIND_INTERNAL',
    traceId: request.traceId,
    parentSpanId: request.spanId,
    status: { code: 'STATUS_CODE_ERROR', message: 'upstream timed out' },
  });
  expect(attributesOf(tool.attributes)).toEqual({
    'tool.name': 'search',
    'tool.attempt': 2,
    'tool.cached': false,
    'tool.score': 0.5,
  });
  expect(tool.events.map((e) => [e.name, attributesOf(e.attributes)])).toEqual([
    ['tool.started', { attempt: 2 }],
  ]);
  expect(tool.links).toMatchObject([{ traceId: initialize.traceId, spanId: initialize.spanId }]);
  expect(initialize.traceId).not.toBe(request.traceId);
}

function expectMcpMetrics(metrics: Metric[]) {
  const requests = metrics.find((m) => m.name === 'mcp_requests_total');
  expect(requests?.sum).toMatchObject({
    aggregationTemporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE',
    isMonotonic: true,
  });
  expect(requests?.sum?.dataPoints.map((p) => [attributesOf(p.attributes), p.asDouble])).toEqual([
    [{ method: 'tools/call' }, 3],
    [{ method: 'tools/list' }, 1],
  ]);
  const duration = metrics.find((m) => m.name === 'mcp_request_duration_seconds');
  expect(duration?.unit).toBe('s');
  expect(duration?.histogram?.dataPoints[0]).toMatchObject({
    count: '5',
    sum: 3.25,
    explicitBounds: [0.1, 0.5, 1],
    bucketCounts: ['1', '2', '1', '1'],
  });
}

function expectMcpLogs(records: LogRecord[]) {
  expect(
    records.map((r) => [r.severityText, r.severityNumber, plainValue(r.body), attributesOf(r.attributes)]),
  ).toEqual([
    ['INFO', 'SEVERITY_NUMBER_INFO', 'Tool execution started', { tool_name: 'search', execution_id: 'e-42' }],
    ['ERROR', 'SEVERITY_NUMBER_ERROR', { error: 'timeout', retries: 2 }, {}],
  ]);
}

describe('otlp exporter config', () => {
  it('defaults to protobuf with gzip to localhost:4318', () => {
    expect(otlp.config.parse({})).toMatchObject({
      endpoint: 'http://localhost:4318',
      encoding: 'proto',
      compression: 'gzip',
      headers: {},
      timeout: 5000,
    });
  });

  it('takes per-signal URLs, header maps and json, and refuses what is not a URL or a header', () => {
    const config = otlp.config.parse({
      endpoint: 'https://gateway.example:4318/otlp',
      logs_endpoint: 'https://logs.example/ingest',
      encoding: 'json',
      compression: 'none',
      headers: { authorization: 'Bearer abc', 'X-Scope-OrgID': 'tenant-1' },
    });
    expect(config).toMatchObject({ logs_endpoint: 'https://logs.example/ingest', encoding: 'json' });
    expect(otlp.config.safeParse({ endpoint: 'gateway:4318' }).success).toBe(false);
    expect(otlp.config.safeParse({ endpoint: 'ftp://gateway:4318' }).success).toBe(false);
    expect(otlp.config.safeParse({ headers: { 'bad header': 'x' } }).success).toBe(false);
    expect(otlp.config.safeParse({ headers: { ok: 'line\nbreak' } }).success).toBe(false);
    expect(otlp.config.safeParse({ encoding: 'grpc' }).success).toBe(false);
    expect(otlp.config.safeParse({ traces_url: 'http://x' }).success).toBe(false);
  });

  it('appends /v1/<signal> to the base URL as the Collector’s otlphttp exporter does', () => {
    expect(signalUrl('http://localhost:4318', 'traces')).toBe('http://localhost:4318/v1/traces');
    expect(signalUrl('http://localhost:4318/', 'metrics')).toBe('http://localhost:4318/v1/metrics');
    expect(signalUrl('https://gw.example/otlp', 'logs')).toBe('https://gw.example/otlp/v1/logs');
    expect(signalUrl('https://gw.example/otlp/', 'logs')).toBe('https://gw.example/otlp/v1/logs');
  });
});

describe('otlp exporter', () => {
  let backend: HttpBackend;
  beforeEach(async () => {
    backend = await HttpBackend.start();
  });
  afterEach(async () => {
    await backend.close();
  });

  it('meets the component contract for every signal', async () => {
    expect(await checkConformance(otlp, { config: { endpoint: backend.url } })).toEqual([
      'traces',
      'metrics',
      'logs',
    ]);
  });

  it('sends traces, metrics and logs as gzipped OTLP protobuf, with the configured headers', async () => {
    const pipeline = await startPipeline(
      `
receivers: { push: {} }
exporters:
  otlp:
    endpoint: ${backend.url}
    headers:
      authorization: Bearer \${env:GATEWAY_TOKEN}
      x-scope-orgid: tenant-1
service:
  pipelines:
    traces: { receivers: [push], exporters: [otlp] }
    metrics: { receivers: [push], exporters: [otlp] }
    logs: { receivers: [push], exporters: [otlp] }
`,
      { plugins: [otlp], env: { GATEWAY_TOKEN: 's3cret' } },
    );
    const spans = toolSpans();
    await pipeline.push('traces', spans);
    await pipeline.push('metrics', await mcpMetrics());
    await pipeline.push('logs', mcpLogs());
    await pipeline.shutdown();

    const byPath = Object.fromEntries(backend.requests.map((r) => [r.path, r]));
    expect(Object.keys(byPath).sort()).toEqual(['/v1/logs', '/v1/metrics', '/v1/traces']);
    for (const request of backend.requests) {
      expect(request.method).toBe('POST');
      expect(request.headers).toMatchObject({
        'content-type': 'application/x-protobuf',
        'content-encoding': 'gzip',
        authorization: 'Bearer s3cret',
        'x-scope-orgid': 'tenant-1',
      });
      expect(request.headers['user-agent']).toMatch(
        /^Tributary\/\d+\.\d+\.\d+ OTel-OTLP-Exporter-JavaScript\//,
      );
      expect(request.raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // the gzip magic number
    }

    const traces = decode('traces', byPath['/v1/traces'] as ReceivedRequest);
    expectToolSpans(spansOf(traces), spans);
    expect(attributesOf(traces.resourceSpans[0]?.resource.attributes ?? [])).toMatchObject({
      'service.name': 'mcp-server',
      'service.version': '1.0.0',
    });
    expect(traces.resourceSpans[0]?.scopeSpans[0]?.scope).toMatchObject({
      name: 'mcp.server',
      version: '1.0.0',
    });
    expectMcpMetrics(metricsOf(decode('metrics', byPath['/v1/metrics'] as ReceivedRequest)));
    expectMcpLogs(logRecordsOf(decode('logs', byPath['/v1/logs'] as ReceivedRequest)));
  });

  it('sends OTLP/JSON without compression with encoding: json and compression: none', async () => {
    const pipeline = await startPipeline(
      `
receivers: { push: {} }
exporters:
  otlp: { endpoint: ${backend.url}, encoding: json, compression: none }
service:
  pipelines:
    traces: { receivers: [push], exporters: [otlp] }
    metrics: { receivers: [push], exporters: [otlp] }
    logs: { receivers: [push], exporters: [otlp] }
`,
      { plugins: [otlp] },
    );
    const spans = toolSpans();
    await pipeline.push('traces', spans);
    await pipeline.push('metrics', await mcpMetrics());
    await pipeline.push('logs', mcpLogs());
    await pipeline.shutdown();

    expect(backend.requests).toHaveLength(3);
    for (const request of backend.requests) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['content-encoding']).toBeUndefined();
      expect(request.raw[0]).toBe('{'.charCodeAt(0));
    }
    const at = (path: string) => backend.requests.find((r) => r.path === path) as ReceivedRequest;
    expectToolSpans(spansOf(decode('traces', at('/v1/traces'))), spans);
    expectMcpMetrics(metricsOf(decode('metrics', at('/v1/metrics'))));
    expectMcpLogs(logRecordsOf(decode('logs', at('/v1/logs'))));
  });

  it('joins the base URL’s path and uses a per-signal URL as it is', async () => {
    const pipeline = await startPipeline(
      `
receivers: { push: {} }
exporters:
  otlp:
    endpoint: ${backend.url}/otlp/
    logs_endpoint: ${backend.url}/ingest/logs?tenant=a
service:
  pipelines:
    traces: { receivers: [push], exporters: [otlp] }
    logs: { receivers: [push], exporters: [otlp] }
`,
      { plugins: [otlp] },
    );
    await pipeline.push('traces', makeSpans(2));
    await pipeline.push('logs', mcpLogs());
    await pipeline.shutdown();
    expect(backend.requests.map((r) => r.path).sort()).toEqual(['/ingest/logs?tenant=a', '/otlp/v1/traces']);
  });

  it('retries 429 and 503 under retry_on_failure, one request per attempt, and delivers the batch once', async () => {
    backend.reply = (_request, index): Reply =>
      index === 0
        ? { status: 429, headers: { 'retry-after': '1' } }
        : index === 1
          ? { status: 503, body: 'overloaded' }
          : { status: 200, headers: { 'content-type': 'application/x-protobuf' } };
    const run = exporterUnderTest(
      otlp,
      {
        endpoint: backend.url,
        retry_on_failure: { initial_interval: '10ms', max_interval: '10ms', randomization_factor: 0 },
      },
      'traces',
    );
    const spans = toolSpans();
    await run.exporter.start(run.host);
    await run.exporter.consume(spans);
    await run.stop();

    expect(backend.requests).toHaveLength(3);
    // The OTel exporter's own retries are out: each request was one attempt of ours, counted; the
    // first failure of the outage is logged, and the count once a send succeeds.
    const retries = run.logs.filter((l) => l.msg === 'send failed; will retry');
    expect(retries.map((l) => l.error)).toEqual([
      expect.stringMatching(/answered 429, 502, 503 or 504: try again later \(Retry-After 1s\)$/),
    ]);
    expect(run.logs.find((l) => l.msg.startsWith('sends succeed again'))).toMatchObject({
      failed_attempts: 2,
    });
    expect(new Set(backend.requests.map((r) => r.body.toString('hex'))).size).toBe(1);
    expectToolSpans(spansOf(decode('traces', backend.requests[2] as ReceivedRequest)), spans);
    expect(await run.metric('tributary_exporter_sent_items')).toBe(3);
    expect(await run.metric('tributary_exporter_send_failed_items')).toBe(0);
  });

  it('does not retry a 400: the batch is counted failed and the reason logged', async () => {
    backend.reply = () => ({ status: 400, body: 'invalid span: empty trace id' });
    const run = exporterUnderTest(otlp, { endpoint: backend.url }, 'traces');
    await run.exporter.start(run.host);
    await run.exporter.consume(toolSpans());
    await run.stop();

    expect(backend.requests).toHaveLength(1);
    expect(await run.metric('tributary_exporter_send_failed_items')).toBe(3);
    expect(await run.metric('tributary_exporter_sent_items')).toBe(0);
    expect(run.logs.find((l) => l.msg.startsWith('send failed (permanent error)'))).toMatchObject({
      items: 3,
      error: `${backend.url}/v1/traces answered HTTP 400 Bad Request: invalid span: empty trace id`,
    });
  });

  it('refuses the batch with the reason when the queue is off, as a pipeline sees it', async () => {
    backend.reply = () => ({ status: 413 });
    const pipeline = await startPipeline(
      `
receivers: { push: {} }
exporters:
  otlp: { endpoint: ${backend.url}, sending_queue: { enabled: false } }
service:
  pipelines:
    logs: { receivers: [push], exporters: [otlp] }
`,
      { plugins: [otlp] },
    );
    await expect(pipeline.push('logs', mcpLogs())).rejects.toMatchObject({
      name: 'PermanentError',
      message: `${backend.url}/v1/logs answered HTTP 413 Payload Too Large`,
    });
    await pipeline.shutdown();
  });

  it('keeps retrying while the backend is down and delivers once it is up', async () => {
    const port = await closedPort();
    const run = exporterUnderTest(
      otlp,
      {
        endpoint: `http://127.0.0.1:${port}`,
        retry_on_failure: { initial_interval: '10ms', max_interval: '20ms', max_elapsed_time: 0 },
      },
      'metrics',
    );
    await run.exporter.start(run.host);
    await run.exporter.consume(await mcpMetrics());
    const failed = await run.logged('send failed; will retry');
    expect(failed.error).toMatch(/ECONNREFUSED/);

    const up = await HttpBackend.start(port);
    try {
      await run.stop();
      expect(up.requests).toHaveLength(1);
      expectMcpMetrics(metricsOf(decode('metrics', up.requests[0] as ReceivedRequest)));
      expect(await run.metric('tributary_exporter_sent_items')).toBe(3);
    } finally {
      await up.close();
    }
  });

  it('gives up a request that outlasts timeout and sends it again', async () => {
    backend.reply = (_request, index) => (index === 0 ? { hang: true } : { status: 200 });
    const pipeline = await startPipeline(
      `
receivers: { push: {} }
exporters:
  otlp: { endpoint: ${backend.url}, timeout: 100ms, ${quickRetry} }
service:
  pipelines:
    traces: { receivers: [push], exporters: [otlp] }
`,
      { plugins: [otlp] },
    );
    const spans = toolSpans();
    await pipeline.push('traces', spans);
    await pipeline.shutdown();
    expect(backend.requests).toHaveLength(2);
    expectToolSpans(spansOf(decode('traces', backend.requests[1] as ReceivedRequest)), spans);
  });

  it('ends a request still open when the drain deadline passes, so shutdown returns', async () => {
    backend.reply = () => ({ hang: true });
    const run = exporterUnderTest(otlp, { endpoint: backend.url, timeout: 0 }, 'logs');
    await run.exporter.start(run.host);
    await run.exporter.consume(mcpLogs());
    await backend.received(1);
    const stopped = run.stop();
    run.deadline.abort();
    await stopped;
    expect(await run.metric('tributary_exporter_dropped_items')).toBe(2);
  });

  it('sends only the headers configured, not OTEL_EXPORTER_OTLP_HEADERS meant for the host’s own SDK', async () => {
    const saved = process.env.OTEL_EXPORTER_OTLP_HEADERS;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'authorization=Bearer for-another-backend,x-leak=1';
    try {
      const pipeline = await startPipeline(
        `
receivers: { push: {} }
exporters:
  otlp: { endpoint: ${backend.url}, headers: { x-tenant: a } }
service:
  pipelines:
    traces: { receivers: [push], exporters: [otlp] }
`,
        { plugins: [otlp] },
      );
      await pipeline.push('traces', makeSpans(1));
      await pipeline.shutdown();
    } finally {
      if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
      else process.env.OTEL_EXPORTER_OTLP_HEADERS = saved;
    }
    const [request] = backend.requests;
    expect(request?.headers['x-tenant']).toBe('a');
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.headers['x-leak']).toBeUndefined();
  });
});
