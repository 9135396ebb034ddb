import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../../core/config/load.js';
import { TributaryErrors } from '../../../../core/errors.js';
import { checkConformance, startPipeline } from '../../../../core/testing/index.js';
import { Engine } from '../../../../main.js';
import jaeger from '../../../../plugins/exporters/jaeger/index.js';
import { HttpBackend, type ReceivedRequest } from '../decoders/backends.js';
import { byName, toolSpans } from '../decoders/data.js';
import { exporterUnderTest } from '../decoders/exporter-harness.js';
import { attributesOf, decodeOtlp, spansOf } from '../decoders/otlp.js';

/** The located errors `tributary validate` prints for a jaeger exporter with `config` (YAML flow map). */
async function validationErrors(config: string): Promise<string[]> {
  const yaml = `receivers: { mcp: {} }
exporters:
  jaeger: ${config}
service:
  pipelines:
    traces: { receivers: [mcp], exporters: [jaeger] }
`;
  try {
    await new Engine(parseConfigText(yaml, '/cfg/jaeger.yaml')).validate();
  } catch (err) {
    if (err instanceof TributaryErrors) return err.errors.map((e) => e.format());
    throw err;
  }
  return [];
}

describe('jaeger exporter config', () => {
  it('defaults to OTLP/HTTP protobuf with gzip to localhost:4318', () => {
    expect(jaeger.config.parse({})).toMatchObject({
      protocol: 'otlp-http',
      endpoint: 'http://localhost:4318',
      compression: 'gzip',
      headers: {},
      tls: { insecure_skip_verify: false },
      timeout: 5000,
    });
  });

  it('says Thrift is gone and to use OTLP, for the Thrift protocols and keys', async () => {
    const removed =
      "TRB_CONFIG_REMOVED exporters.jaeger.%s: Jaeger Thrift was removed (Jaeger v1 is end of life and its OpenTelemetry exporter deprecated); Jaeger v2 and v1.35+ take OTLP: remove it and set endpoint to Jaeger's OTLP/HTTP port, e.g. http://localhost:4318";
    expect(await validationErrors('{ protocol: thrift-udp, agent_host: agent, agent_port: 6832 }')).toEqual(
      ['protocol', 'agent_host', 'agent_port'].map(
        (key, i) => `/cfg/jaeger.yaml:3:${[23, 47, 66][i]}: ${removed.replace('%s', key)}`,
      ),
    );
    expect(await validationErrors('{ protocol: thrift-http, username: u, password: p }')).toHaveLength(3);
    expect(await validationErrors('{ max_packet_size: 9000 }')).toEqual([
      expect.stringContaining(
        'TRB_CONFIG_REMOVED exporters.jaeger.max_packet_size: Jaeger Thrift was removed',
      ),
    ]);
    expect(await validationErrors('{ protocol: zipkin }')).toEqual([
      '/cfg/jaeger.yaml:3:23: TRB_CONFIG_INVALID_VALUE exporters.jaeger.protocol: invalid value "zipkin": the only protocol is "otlp-http"',
    ]);
    expect(await validationErrors('{ protocol: otlp-http, endpoint: "http://jaeger:4318" }')).toEqual([]);
  });
});

describe('jaeger exporter', () => {
  it('meets the component contract', async () => {
    const backend = await HttpBackend.start();
    try {
      expect(await checkConformance(jaeger, { config: { endpoint: backend.url } })).toEqual(['traces']);
    } finally {
      await backend.close();
    }
  });

  it('sends OTLP/HTTP protobuf to /v1/traces, as the otlp exporter does', async () => {
    const backend = await HttpBackend.start();
    try {
      const pipeline = await startPipeline(
        `
receivers: { push: {} }
exporters:
  jaeger: { endpoint: ${backend.url}, headers: { x-tenant: a } }
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
        'x-tenant': 'a',
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
    } finally {
      await backend.close();
    }
  });

  it('retries a 503 and drops a 400 as the otlp exporter does', async () => {
    const backend = await HttpBackend.start();
    backend.reply = (_request, index) => ({ status: index === 0 ? 503 : 400 });
    try {
      const run = exporterUnderTest(
        jaeger,
        { endpoint: backend.url, retry_on_failure: { initial_interval: '10ms', randomization_factor: 0 } },
        'traces',
      );
      await run.exporter.start(run.host);
      await run.exporter.consume(toolSpans());
      await run.stop();
      expect(backend.requests).toHaveLength(2);
      expect(run.logs.filter((l) => l.level >= 40).map((l) => [l.msg, l.error])).toEqual([
        ['send failed; will retry', `${backend.url}/v1/traces answered HTTP 503 Service Unavailable`],
        [
          'send failed (permanent error): batch not sent',
          `${backend.url}/v1/traces answered HTTP 400 Bad Request`,
        ],
      ]);
      expect(await run.metric('tributary_exporter_send_failed_items')).toBe(3);
    } finally {
      await backend.close();
    }
  });
});
