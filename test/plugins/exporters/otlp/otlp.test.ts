import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signalUrl } from '../../../../core/otlp/index.js';
import type { Batch, Signal } from '../../../../core/signals.js';
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
const quickRetryConfig = { initial_interval: '10ms', max_interval: '10ms', randomization_factor: 0 };

// A self-signed certificate for localhost and 127.0.0.1 (test/fixtures/tls/README.md).
const TLS_DIR = join(import.meta.dirname, '../../../fixtures/tls');
const CERT_FILE = join(TLS_DIR, 'localhost.crt');
const KEY_FILE = join(TLS_DIR, 'localhost.key');
const serverTls = { cert: readFileSync(CERT_FILE), key: readFileSync(KEY_FILE) };

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

  /** Sends `batch` through an otlp exporter with 10ms retries, answered by `answers` in turn (then 200). */
  async function sendWithQuickRetries<S extends Signal>(signal: S, batch: Batch<S>, answers: Reply[]) {
    backend.reply = (_request, index) => answers[index] ?? { status: 200 };
    const run = exporterUnderTest(
      otlp,
      { endpoint: backend.url, retry_on_failure: quickRetryConfig },
      signal,
    );
    await run.exporter.start(run.host);
    await run.exporter.consume(batch);
    await run.stop();
    return { run, retries: run.logs.filter((l) => l.msg === 'send failed; will retry') };
  }

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
      expect(request.headers['user-agent']).toMatch(/^Tributary\/\d+\.\d+\.\d+$/);
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

  it('waits the Retry-After of a 429 before the next attempt, and delivers the batch once', async () => {
    const spans = toolSpans();
    const { run, retries } = await sendWithQuickRetries('traces', spans, [
      { status: 429, headers: { 'retry-after': '2' } },
    ]);

    expect(backend.requests).toHaveLength(2);
    // One request per attempt, each one logged, and the wait is the backend's, not the 10ms backoff.
    expect(retries).toEqual([
      expect.objectContaining({
        retry_in_ms: 2000,
        error: `${backend.url}/v1/traces answered HTTP 429 Too Many Requests (Retry-After 2s)`,
      }),
    ]);
    const [first, second] = backend.requests as [ReceivedRequest, ReceivedRequest];
    // libuv's clock counts whole milliseconds: a 2000ms timer set just after `first` fires after 1999.x of them.
    expect(second.at - first.at).toBeGreaterThan(1999);
    expect(second.body.equals(first.body)).toBe(true);
    expectToolSpans(spansOf(decode('traces', second)), spans);
    expect(await run.metric('tributary_exporter_sent_items')).toBe(3);
    expect(await run.metric('tributary_exporter_send_failed_items')).toBe(0);
  });

  it('takes a 503’s Retry-After as an HTTP-date too', async () => {
    const date = new Date(Date.now() + 2500).toUTCString();
    const { retries } = await sendWithQuickRetries('logs', mcpLogs(), [
      { status: 503, headers: { 'retry-after': date }, body: 'busy' },
    ]);

    expect(backend.requests).toHaveLength(2);
    const [retry] = retries;
    // The date has whole seconds: 2.5 s from then is 1.5 s to 2.5 s from when it is read.
    expect(retry?.retry_in_ms).toBeGreaterThanOrEqual(1000);
    expect(retry?.retry_in_ms).toBeLessThanOrEqual(2500);
    expect(retry?.error).toMatch(/answered HTTP 503 Service Unavailable: busy \(Retry-After \ds\)$/);
    expectMcpLogs(logRecordsOf(decode('logs', backend.requests[1] as ReceivedRequest)));
  });

  it('retries 502 and 504 on the backoff when they carry no Retry-After', async () => {
    const { run, retries } = await sendWithQuickRetries('traces', toolSpans(), [
      { status: 502 },
      { status: 504 },
    ]);
    expect(backend.requests).toHaveLength(3);
    // Logged once per outage: the first wait is the backoff's, the second attempt only counted.
    expect(retries.map((l) => l.retry_in_ms)).toEqual([10]);
    expect(run.logs.find((l) => l.msg.startsWith('sends succeed again'))).toMatchObject({
      failed_attempts: 2,
    });
  });

  it('sends every ResourceMetrics of a batch in one request, in either encoding', async () => {
    for (const encoding of ['proto', 'json']) {
      const gateway = resourceFromAttributes({ 'service.name': 'mcp-gateway' });
      const batch = [...(await mcpMetrics()), ...(await mcpMetrics(gateway))];
      expect(batch).toHaveLength(2);
      const run = exporterUnderTest(otlp, { endpoint: backend.url, encoding }, 'metrics');
      await run.exporter.start(run.host);
      await run.exporter.consume(batch);
      await run.stop();

      const [request] = backend.requests.splice(0);
      expect(backend.requests).toHaveLength(0);
      const decoded = decode('metrics', request as ReceivedRequest);
      expect(
        decoded.resourceMetrics.map((rm) => attributesOf(rm.resource.attributes)['service.name']),
      ).toEqual(['mcp-server', 'mcp-gateway']);
      for (const rm of decoded.resourceMetrics) {
        expectMcpMetrics(rm.scopeMetrics.flatMap((sm) => sm.metrics));
      }
      expect(await run.metric('tributary_exporter_sent_items')).toBe(6);
    }
  });

  it('does not retry a 400: the batch is dropped, counted failed and logged once', async () => {
    backend.reply = () => ({ status: 400, body: 'invalid span: empty trace id' });
    const run = exporterUnderTest(otlp, { endpoint: backend.url }, 'traces');
    const spans = toolSpans();
    await run.exporter.start(run.host);
    await run.exporter.consume(spans);
    await run.stop();

    expect(backend.requests).toHaveLength(1);
    expectToolSpans(spansOf(decode('traces', backend.requests[0] as ReceivedRequest)), spans);
    expect(await run.metric('tributary_exporter_send_failed_items')).toBe(3);
    expect(await run.metric('tributary_exporter_sent_items')).toBe(0);
    // One line says it all: no retry warnings before it.
    expect(run.logs.filter((l) => l.level >= 40)).toEqual([
      expect.objectContaining({
        msg: 'send failed (permanent error): batch not sent',
        items: 3,
        error: `${backend.url}/v1/traces answered HTTP 400 Bad Request: invalid span: empty trace id`,
      }),
    ]);
  });

  it('never quotes the password or query of its URL, even to a logger or caller that does not redact', async () => {
    backend.reply = () => ({ status: 400, body: 'bad request' });
    const url = new URL(`${backend.url}/v1/traces?sig=k3y`);
    url.username = 'user';
    url.password = 'pa55word';
    const run = exporterUnderTest(
      otlp,
      { traces_endpoint: url.href, sending_queue: { enabled: false } },
      'traces',
    );
    await run.exporter.start(run.host);
    const refusal = await run.exporter.consume(toolSpans()).catch((err: Error) => err.message);
    await run.stop();

    expect(backend.requests.map((r) => r.path)).toEqual(['/v1/traces?sig=k3y']);
    const shown = `${backend.url.replace('http://', 'http://user:REDACTED@')}/v1/traces?REDACTED`;
    expect(refusal).toBe(`${shown} answered HTTP 400 Bad Request: bad request`);
    const logged = JSON.stringify(run.logs);
    expect(logged).toContain(shown);
    for (const secret of ['pa55word', 'k3y']) expect(logged).not.toContain(secret);
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

describe('otlp exporter over TLS', () => {
  let backend: HttpBackend;
  afterEach(async () => {
    await backend?.close();
  });

  it('verifies the server against tls.ca_file and sends over HTTPS', async () => {
    backend = await HttpBackend.start(0, serverTls);
    const pipeline = await startPipeline(
      `
receivers: { push: {} }
exporters:
  otlp: { endpoint: ${backend.url}, tls: { ca_file: ${CERT_FILE} } }
service:
  pipelines:
    metrics: { receivers: [push], exporters: [otlp] }
`,
      { plugins: [otlp] },
    );
    await pipeline.push('metrics', await mcpMetrics());
    await pipeline.shutdown();
    expect(backend.url).toMatch(/^https:/);
    expect(backend.requests).toHaveLength(1);
    expectMcpMetrics(metricsOf(decode('metrics', backend.requests[0] as ReceivedRequest)));
  });

  it('retries while the certificate cannot be verified; insecure_skip_verify sends anyway', async () => {
    backend = await HttpBackend.start(0, serverTls);
    const strict = exporterUnderTest(
      otlp,
      { endpoint: backend.url, retry_on_failure: quickRetryConfig },
      'logs',
    );
    await strict.exporter.start(strict.host);
    await strict.exporter.consume(mcpLogs());
    expect((await strict.logged('send failed; will retry')).error).toMatch(/self-signed certificate/);
    const stopped = strict.stop();
    strict.deadline.abort();
    await stopped;
    expect(backend.requests).toHaveLength(0);

    const trusting = exporterUnderTest(
      otlp,
      { endpoint: backend.url, tls: { insecure_skip_verify: true } },
      'logs',
    );
    await trusting.exporter.start(trusting.host);
    await trusting.exporter.consume(mcpLogs());
    await trusting.stop();
    expect(backend.requests).toHaveLength(1);
    expectMcpLogs(logRecordsOf(decode('logs', backend.requests[0] as ReceivedRequest)));
  });

  it('shows tls.cert_file and tls.key_file to a server that asks for a client certificate', async () => {
    backend = await HttpBackend.start(0, {
      ...serverTls,
      ca: serverTls.cert,
      requestCert: true,
      rejectUnauthorized: true,
    });
    const run = exporterUnderTest(
      otlp,
      { endpoint: backend.url, tls: { ca_file: CERT_FILE, cert_file: CERT_FILE, key_file: KEY_FILE } },
      'traces',
    );
    await run.exporter.start(run.host);
    await run.exporter.consume(toolSpans());
    await run.stop();
    expect(backend.requests.map((r) => r.clientCertificate)).toEqual(['localhost']);
  });

  it('fails to start with TRB_EXPORTER_OTLP_TLS when a TLS file cannot be read or used', async () => {
    backend = await HttpBackend.start(0, serverTls);
    const startWith = (tls: string) =>
      startPipeline(
        `
receivers: { push: {} }
exporters:
  otlp: { endpoint: ${backend.url}, tls: ${tls} }
service:
  pipelines:
    traces: { receivers: [push], exporters: [otlp] }
`,
        { plugins: [otlp] },
      );
    const missing = join(TLS_DIR, 'missing-ca.crt');
    await expect(startWith(`{ ca_file: ${missing} }`)).rejects.toMatchObject({
      code: 'TRB_EXPORTER_OTLP_TLS',
      message: expect.stringContaining(`cannot read tls.ca_file ${missing}: ENOENT`),
      hint: 'point tls.ca_file at a readable PEM file',
    });
    const notAKey = join(TLS_DIR, 'README.md');
    await expect(startWith(`{ cert_file: ${CERT_FILE}, key_file: ${notAKey} }`)).rejects.toMatchObject({
      code: 'TRB_EXPORTER_OTLP_TLS',
      message: expect.stringContaining('the tls files are not usable: '),
    });
  });

  it('says so when tls is set for an http:// endpoint, which is sent without it', async () => {
    backend = await HttpBackend.start();
    const run = exporterUnderTest(otlp, { endpoint: backend.url, tls: { ca_file: CERT_FILE } }, 'traces');
    await run.exporter.start(run.host);
    await run.exporter.consume(toolSpans());
    await run.stop();
    expect(await run.logged('tls settings are ignored')).toMatchObject({
      level: 40,
      url: `${backend.url}/v1/traces`,
    });
    expect(backend.requests).toHaveLength(1);
  });

  it('takes cert_file and key_file only together', () => {
    const issues = (tls: unknown) =>
      otlp.config.safeParse({ tls }).error?.issues.map((i) => [i.path.join('.'), i.message]);
    expect(issues({ cert_file: CERT_FILE })).toEqual([
      ['tls.key_file', 'cert_file and key_file go together: set both or neither'],
    ]);
    expect(issues({ cert_file: CERT_FILE, key_file: KEY_FILE, ca_file: CERT_FILE })).toBeUndefined();
    expect(issues({ insecure: true })).toHaveLength(1);
  });
});
