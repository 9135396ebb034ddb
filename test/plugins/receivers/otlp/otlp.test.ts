import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PermanentError, RetryableError } from '../../../../core/component.js';
import type { Engine } from '../../../../core/engine.js';
import { isUserError, TributaryError } from '../../../../core/errors.js';
import { definePlugin, type PluginDefinition } from '../../../../core/plugin.js';
import { SIGNALS } from '../../../../core/signals.js';
import { SelfTelemetry } from '../../../../core/telemetry/self.js';
import { freePort, makeSpans, type RunningPipeline, startPipeline } from '../../../../core/testing/index.js';
import otlpExporter from '../../../../plugins/exporters/otlp/index.js';
import { OtlpReceiverConfig } from '../../../../plugins/receivers/otlp/config.js';
import otlpReceiver from '../../../../plugins/receivers/otlp/index.js';
import { asOtlp, telemetry } from './data.js';

/** Requests the receiver refused for `reason`, from the engine's own metrics. */
async function refusedRequests(engine: Engine, reason: string): Promise<number> {
  const collected = await engine.registry.container.resolve(SelfTelemetry).collect();
  const metric = collected.scopeMetrics
    .flatMap((sm) => sm.metrics)
    .find((m) => m.descriptor.name === 'tributary_receiver_otlp_refused_requests');
  return (metric?.dataPoints ?? [])
    .filter((p) => p.attributes.reason === reason)
    .reduce((sum, p) => sum + (p.value as number), 0);
}

const running: RunningPipeline[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.shutdown()));
});

/** A gateway: the otlp receiver on a free port, every signal into the `sink` exporter. */
async function gateway(http = '{}', exporter = 'sink', plugins: PluginDefinition[] = [otlpReceiver]) {
  const port = await freePort();
  const pipelines = SIGNALS.map((s) => `    ${s}: { receivers: [otlp], exporters: [${exporter}] }`).join(
    '\n',
  );
  const pipeline = await startPipeline(
    `receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:${port}", ${http.slice(1, -1)} } } }
exporters:
  ${exporter}: {}
service:
  pipelines:
${pipelines}
`,
    { plugins },
  );
  running.push(pipeline);
  return { ...pipeline, url: `http://127.0.0.1:${port}` };
}

/** An agent: the `push` receiver into the otlp exporter pointed at `url`. */
async function agent(url: string, options: string) {
  const pipelines = SIGNALS.map((s) => `    ${s}: { receivers: [push], exporters: [otlp] }`).join('\n');
  return startPipeline(
    `receivers:
  push: {}
exporters:
  otlp: { endpoint: "${url}", ${options} }
service:
  pipelines:
${pipelines}
`,
    { plugins: [otlpExporter] },
  );
}

function post(url: string, body: Uint8Array | string, headers: Record<string, string>) {
  return fetch(url, { method: 'POST', body, headers });
}

/** An exporter plugin of `type` whose every signal's consume() is `consume`. */
function exporterPlugin(type: string, consume: () => Promise<void>, shutdown = async () => {}) {
  return definePlugin({
    kind: 'exporter',
    type,
    stability: { traces: 'stable', metrics: 'stable', logs: 'stable' },
    config: z.strictObject({}),
    create: Object.fromEntries(SIGNALS.map((s) => [s, () => ({ start: async () => {}, shutdown, consume })])),
  });
}

describe('otlp receiver', () => {
  for (const [encoding, compression] of [
    ['proto', 'gzip'],
    ['json', 'none'],
  ] as const) {
    it(`takes what the otlp exporter sends (${encoding}, ${compression}): spans, metrics and logs arrive intact`, async () => {
      const gw = await gateway();
      const sent = await telemetry();
      const sender = await agent(gw.url, `encoding: ${encoding}, compression: ${compression}`);
      await sender.push('traces', sent.spans);
      await sender.push('metrics', sent.metrics);
      await sender.push('logs', sent.logs);
      await sender.shutdown(); // drains the sending queues: everything has been answered

      const spans = gw.recorded.items('traces');
      const metrics = gw.recorded.items('metrics');
      const logs = gw.recorded.items('logs');
      expect(asOtlp('traces', spans)).toEqual(asOtlp('traces', sent.spans));
      expect(asOtlp('metrics', metrics)).toEqual(asOtlp('metrics', sent.metrics));
      expect(asOtlp('logs', logs)).toEqual(asOtlp('logs', sent.logs));

      // As a consumer sees them: the SDK's own types, ids and parents as they were.
      const tool = spans.find((s) => s.name === 'tool_execution_search');
      const original = sent.spans.find((s) => s.name === 'tool_execution_search');
      expect(tool?.spanContext()).toMatchObject({
        traceId: original?.spanContext().traceId,
        spanId: original?.spanContext().spanId,
      });
      expect(tool?.parentSpanContext?.spanId).toBe(original?.parentSpanContext?.spanId);
      expect(tool?.attributes).toEqual({
        'tool.name': 'search',
        'tool.attempt': 2,
        'tool.cached': false,
        'tool.score': 0.5,
      });
      expect(tool?.startTime).toEqual(original?.startTime);
      expect(tool?.resource.attributes).toMatchObject({ 'service.name': 'mcp-server' });
      expect(logs[0]?.spanContext?.spanId).toBe(original?.spanContext().spanId);
      expect(logs[1]?.body).toEqual({ error: 'timeout', retries: 2, raw: new Uint8Array([1, 2, 255]) });
    });
  }

  it("takes what the OpenTelemetry JS SDK's own OTLP/HTTP exporters send (JSON)", async () => {
    const gw = await gateway();
    const sent = await telemetry();
    const exported = (
      exporter: { export(items: never, done: (r: ExportResult) => void): void },
      items: unknown,
    ) => new Promise<ExportResult>((resolve) => exporter.export(items as never, resolve));
    const traces = new OTLPTraceExporter({ url: `${gw.url}/v1/traces` });
    const metrics = new OTLPMetricExporter({ url: `${gw.url}/v1/metrics` });
    const logs = new OTLPLogExporter({ url: `${gw.url}/v1/logs` });
    try {
      expect((await exported(traces, sent.spans)).code).toBe(ExportResultCode.SUCCESS);
      expect((await exported(metrics, sent.metrics[0])).code).toBe(ExportResultCode.SUCCESS);
      expect((await exported(logs, sent.logs)).code).toBe(ExportResultCode.SUCCESS);
    } finally {
      await Promise.all([traces.shutdown(), metrics.shutdown(), logs.shutdown()]);
    }
    expect(asOtlp('traces', gw.recorded.items('traces'))).toEqual(asOtlp('traces', sent.spans));
    expect(asOtlp('metrics', gw.recorded.items('metrics'))).toEqual(asOtlp('metrics', sent.metrics));
    expect(asOtlp('logs', gw.recorded.items('logs'))).toEqual(asOtlp('logs', sent.logs));
  });

  it('keeps what SDK-made data seldom has: trace state, a remote parent, scope attributes, schema URLs, int64 as text', async () => {
    const gw = await gateway();
    const traceId = '5b8efff798038103d269b633813fc60c';
    const request = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
          schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
          scopeSpans: [
            {
              scope: {
                name: 'lib',
                version: '2.0',
                attributes: [{ key: 'lib.flavour', value: { stringValue: 'x' } }],
              },
              spans: [
                {
                  traceId,
                  spanId: 'eee19b7ec3c1b174',
                  parentSpanId: 'eee19b7ec3c1b173',
                  traceState: 'vendor=abc',
                  flags: 0x301, // sampled, parent is remote
                  name: 'GET /cart',
                  kind: 2,
                  startTimeUnixNano: '1700000000123456789',
                  endTimeUnixNano: '1700000001000000000',
                  attributes: [
                    { key: 'big', value: { intValue: '9007199254740991' } },
                    { key: 'ratio', value: { doubleValue: 0.5 } },
                  ],
                  status: { code: 2, message: 'boom' },
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await post(`${gw.url}/v1/traces`, JSON.stringify(request), {
      'content-type': 'application/json',
    });
    expect(await res.json()).toEqual({});
    const [span] = gw.recorded.items('traces');
    expect(span?.spanContext().traceState?.get('vendor')).toBe('abc');
    expect(span?.spanContext().traceFlags).toBe(1);
    expect(span?.parentSpanContext).toEqual({
      traceId,
      spanId: 'eee19b7ec3c1b173',
      traceFlags: 1,
      isRemote: true,
    });
    expect(span?.kind).toBe(1); // SpanKind.SERVER
    expect(span?.startTime).toEqual([1_700_000_000, 123_456_789]);
    expect(span?.duration).toEqual([0, 876_543_211]);
    expect(span?.attributes).toEqual({ big: 9007199254740991, ratio: 0.5 });
    expect(span?.status).toEqual({ code: 2, message: 'boom' });
    expect(span?.instrumentationScope).toEqual({
      name: 'lib',
      version: '2.0',
      attributes: { 'lib.flavour': 'x' },
    });
    expect(span?.resource.schemaUrl).toBe('https://opentelemetry.io/schemas/1.26.0');
    expect(span?.resource.attributes).toEqual({ 'service.name': 'checkout' });
  });

  it('answers partial_success for spans it cannot take and passes on the rest', async () => {
    const gw = await gateway();
    const request = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'good' },
                { traceId: 'not-hex', spanId: 'eee19b7ec3c1b174', name: 'bad' },
              ],
            },
          ],
        },
      ],
    };
    const res = await post(`${gw.url}/v1/traces`, JSON.stringify(request), {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage: '1 spans with an invalid trace or span id were rejected',
      },
    });
    expect(gw.recorded.items('traces').map((s) => s.name)).toEqual(['good']);
  });

  it('rejects summary points (the pipeline has no summary type) and passes on the rest', async () => {
    const gw = await gateway();
    const point = { timeUnixNano: '1700000000000000000', attributes: [] };
    const request = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                { name: 'rpc_latency', summary: { dataPoints: [point, point] } },
                { name: 'queue_depth', gauge: { dataPoints: [{ ...point, asInt: '7' }] } },
              ],
            },
          ],
        },
      ],
    };
    const res = await post(`${gw.url}/v1/metrics`, JSON.stringify(request), {
      'content-type': 'application/json',
    });
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedDataPoints: '2',
        errorMessage: '2 summary data points (the pipeline has no summary type) were rejected',
      },
    });
    const metrics = gw.recorded.items('metrics').flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics));
    expect(metrics.map((m) => [m.descriptor.name, m.dataPoints.map((p) => p.value)])).toEqual([
      ['queue_depth', [7]],
    ]);
  });

  it('answers an empty protobuf ExportTraceServiceResponse that the SDK reads', async () => {
    const gw = await gateway();
    const body = ProtobufTraceSerializer.serializeRequest(makeSpans(2)) as Uint8Array;
    const res = await post(`${gw.url}/v1/traces`, body, { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    const answer = new Uint8Array(await res.arrayBuffer());
    expect(ProtobufTraceSerializer.deserializeResponse(answer)).toEqual({});
    expect(gw.recorded.items('traces')).toHaveLength(2);
  });

  it('undoes gzip, and answers 413 for a body over max_request_body_size, zipped or once unzipped', async () => {
    const gw = await gateway('{ max_request_body_size: 1KiB }');
    const json = { 'content-type': 'application/json' };
    const small = JSON.stringify({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'hi' } }] }] }],
    });
    const zipped = await post(`${gw.url}/v1/logs`, gzipSync(small), { ...json, 'content-encoding': 'gzip' });
    expect(zipped.status).toBe(200);
    expect(gw.recorded.items('logs').map((l) => l.body)).toEqual(['hi']);

    const big = JSON.stringify({ resourceLogs: [], padding: 'x'.repeat(2000) });
    const tooBig = await post(`${gw.url}/v1/logs`, big, json);
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { message: string }).message).toContain(
      'larger than max_request_body_size (1024 bytes)',
    );

    // A zip bomb: 100 MB of zeros in 100 KB; it is refused while it inflates.
    const bomb = gzipSync(Buffer.alloc(100_000_000));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const gw2 = await gateway('{ max_request_body_size: 1MiB }');
    const bombed = await post(`${gw2.url}/v1/logs`, bomb, { ...json, 'content-encoding': 'gzip' });
    expect(bombed.status).toBe(413);
    expect(((await bombed.json()) as { message: string }).message).toContain('once unzipped');
    expect(await refusedRequests(gw.engine, 'too_large')).toBe(1);
    expect(await refusedRequests(gw2.engine, 'too_large')).toBe(1);
  });

  it('cuts string attribute values and log bodies over max_attribute_value_size, and counts them', async () => {
    const gw = await gateway('{ max_attribute_value_size: 8 }');
    const json = { 'content-type': 'application/json' };
    const long = 'x'.repeat(100_000);
    const kv = (key: string, value: string) => ({ key, value: { stringValue: value } });
    const logs = {
      resourceLogs: [
        {
          resource: { attributes: [kv('service.name', 'a-very-long-service-name')] },
          scopeLogs: [
            {
              logRecords: [
                { body: { stringValue: long }, attributes: [kv('short', 'ok'), kv('long', long)] },
                { body: { stringValue: 'fine' }, attributes: [{ key: 'n', value: { intValue: '7' } }] },
                {
                  // Strings inside maps and arrays (a log's AnyValue) are cut too.
                  body: { kvlistValue: { values: [kv('message', long)] } },
                  attributes: [
                    {
                      key: 'map',
                      value: {
                        kvlistValue: {
                          values: [
                            { key: 'list', value: { arrayValue: { values: [{ stringValue: long }] } } },
                          ],
                        },
                      },
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    expect((await post(`${gw.url}/v1/logs`, JSON.stringify(logs), json)).status).toBe(200);
    const [first, second, third] = gw.recorded.items('logs');
    expect(first?.body).toBe('xxxxxxxx');
    expect(first?.attributes).toEqual({ short: 'ok', long: 'xxxxxxxx' });
    expect(first?.resource.attributes['service.name']).toBe('a-very-l');
    expect(second?.body).toBe('fine');
    expect(second?.attributes).toEqual({ n: 7 });
    expect(third?.body).toEqual({ message: 'xxxxxxxx' });
    expect(third?.attributes).toEqual({ map: { list: ['xxxxxxxx'] } });
    const collected = await gw.engine.registry.container.resolve(SelfTelemetry).collect();
    const cut = collected.scopeMetrics
      .flatMap((sm) => sm.metrics)
      .find((m) => m.descriptor.name === 'tributary_receiver_otlp_truncated_attribute_values');
    // The bodies, the long attributes and the shared resource's service.name (once).
    expect(cut?.dataPoints.reduce((sum, p) => sum + (p.value as number), 0)).toBe(5);
  });

  it('answers 415 for a content type it does not speak, 400 for a body that does not decode', async () => {
    const gw = await gateway();
    const text = await post(`${gw.url}/v1/traces`, 'hello', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(await text.text()).toContain('use application/x-protobuf or application/json');

    const notJson = await post(`${gw.url}/v1/traces`, '{"resourceSpans": [', {
      'content-type': 'application/json',
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { message: string }).message).toMatch(
      /^cannot decode the body as an OTLP traces request \(json\): not JSON/,
    );

    const wrongShape = await post(`${gw.url}/v1/metrics`, '{"resourceMetrics": 5}', {
      'content-type': 'application/json',
    });
    expect(wrongShape.status).toBe(400);
    expect(((await wrongShape.json()) as { message: string }).message).toContain(
      'resourceMetrics: expected an array',
    );

    // Field 1 (resource_spans) says 100 bytes follow; there are 2.
    const truncated = await post(`${gw.url}/v1/traces`, new Uint8Array([0x0a, 100, 1, 2]), {
      'content-type': 'application/x-protobuf',
    });
    expect(truncated.status).toBe(400);
    const bad = await post(`${gw.url}/v1/logs`, gzipSync('x').subarray(0, 5), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(bad.status).toBe(400);
    expect(gw.recorded.items('traces')).toEqual([]);
  });

  it('answers 404 off its paths and 405 for other methods', async () => {
    const gw = await gateway();
    const other = await post(`${gw.url}/v1/profiles`, '{}', { 'content-type': 'application/json' });
    expect(other.status).toBe(404);
    expect(await other.text()).toContain('/v1/traces, /v1/metrics, /v1/logs');
    const get = await fetch(`${gw.url}/v1/traces`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('answers 429 with Retry-After while max_in_flight_size is held by requests in progress', async () => {
    let release = () => {};
    let arrived = () => {};
    const held = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const slow = exporterPlugin(
      'slow',
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
          arrived();
        }),
      async () => release(),
    );
    const gw = await gateway('{ max_request_body_size: 1KiB, max_in_flight_size: 1KiB }', 'slow', [
      otlpReceiver,
      slow,
    ]);
    const body = JSON.stringify({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x'.repeat(600) } }] }] }],
    });
    const json = { 'content-type': 'application/json' };
    const first = post(`${gw.url}/v1/logs`, body, json);
    await held; // the first request's 600 bytes are held until the pipeline answers
    const second = await post(`${gw.url}/v1/logs`, body, json);
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    expect(await refusedRequests(gw.engine, 'throttled')).toBe(1);
    release();
    expect((await first).status).toBe(200);
    const third = post(`${gw.url}/v1/logs`, body, json);
    await new Promise<void>((resolve) => {
      arrived = resolve;
    });
    release();
    expect((await third).status).toBe(200);
  });

  it('gives back what a client that went away mid-body held of max_in_flight_size', async () => {
    const gw = await gateway('{ max_request_body_size: 1KiB, max_in_flight_size: 1KiB }');
    const { port } = new URL(gw.url);
    // 600 of the 800 bytes it announces, then the client is gone.
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(
      'POST /v1/logs HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 800\r\n\r\n',
    );
    socket.write(' '.repeat(600));
    const body = JSON.stringify({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x'.repeat(600) } }] }] }],
    });
    const status = async () =>
      (await post(`${gw.url}/v1/logs`, body, { 'content-type': 'application/json' })).status;
    await expect.poll(status, { timeout: 10_000 }).toBe(429); // its 600 bytes are held
    socket.destroy();
    await closed;
    // The server sees the abort a moment after the close: until then a request may get 429.
    await expect
      .poll(
        async () => (await post(`${gw.url}/v1/logs`, body, { 'content-type': 'application/json' })).status,
        {
          timeout: 10_000,
        },
      )
      .toBe(200);
  });

  it('refuses protocols.grpc with an error that says only http is supported', async () => {
    const port = await freePort();
    const err = await startPipeline(
      `receivers:
  otlp: { protocols: { grpc: { endpoint: "127.0.0.1:${port}" } } }
exporters:
  sink: {}
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [sink] }
`,
      { plugins: [otlpReceiver] },
    ).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toMatch(
      /TRB_CONFIG_UNSUPPORTED receivers\.otlp\.protocols\.grpc: OTLP\/gRPC is not supported: only protocols\.http is/,
    );
  });

  it('takes `http:` with nothing after it (YAML null) as http with its defaults', () => {
    const config = OtlpReceiverConfig.parse(parseYaml('protocols:\n  http:\n'));
    expect(config.protocols.http).toMatchObject({
      endpoint: { host: '127.0.0.1', port: 4318 },
      max_request_body_size: 20 * 1024 * 1024,
      traces_url_path: '/v1/traces',
    });
  });

  it('says which port is in use when it cannot listen', async () => {
    const gw = await gateway();
    const port = new URL(gw.url).port;
    const err = await startPipeline(
      `receivers:
  otlp/second: { protocols: { http: { endpoint: "127.0.0.1:${port}" } } }
exporters:
  sink: {}
service:
  pipelines:
    logs: { receivers: [otlp/second], exporters: [sink] }
`,
      { plugins: [otlpReceiver] },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TributaryError);
    const { code, message, hint } = err as TributaryError;
    expect(code).toBe('TRB_RECEIVER_PORT_IN_USE');
    expect(message).toBe(
      `receiver "otlp/second" failed to start: cannot listen on 127.0.0.1:${port}: the address is already in use`,
    );
    expect(hint).toBe(
      'stop the process listening there, or set receivers.otlp/second.protocols.http.endpoint to a free host:port',
    );
  });

  describe('when the pipeline refuses', () => {
    const refusing = (error: () => Error) => exporterPlugin('refuse', async () => Promise.reject(error()));
    const body = JSON.stringify({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'hi' } }] }] }],
    });
    const json = { 'content-type': 'application/json' };

    it('answers 503 with the Retry-After it asked for (a full queue, a memory limit)', async () => {
      const gw = await gateway('{}', 'refuse', [
        otlpReceiver,
        refusing(() => new RetryableError('memory limit reached', { retryAfterMs: 7_500 })),
      ]);
      const res = await post(`${gw.url}/v1/logs`, body, json);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('8');
      expect(await res.json()).toEqual({
        code: 14,
        message: 'the pipeline refused the data: memory limit reached',
      });
    });

    it('answers 503 with a Retry-After of 5 seconds when the refusal names no wait', async () => {
      const gw = await gateway('{}', 'refuse', [
        otlpReceiver,
        refusing(() => new RetryableError('queue is full')),
      ]);
      const res = await post(`${gw.url}/v1/logs`, body, json);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
    });

    it('answers 400 when the pipeline calls the data bad (a PermanentError)', async () => {
      const gw = await gateway('{}', 'refuse', [
        otlpReceiver,
        refusing(() => new PermanentError('cannot index')),
      ]);
      const res = await post(`${gw.url}/v1/logs`, body, json);
      expect(res.status).toBe(400);
      expect(res.headers.get('retry-after')).toBeNull();
    });
  });
});
