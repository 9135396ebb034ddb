import { createHash } from 'node:crypto';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import type { Signal } from '../../../../core/signals.js';
import { SelfTelemetry } from '../../../../core/telemetry/self.js';
import {
  makeLogs,
  type RunningPipeline,
  recordLogs,
  recordMetrics,
  recordSpans,
  startPipeline,
  testContext,
} from '../../../../core/testing/index.js';
import redaction from '../../../../plugins/processors/redaction/index.js';
import { passesLuhn } from '../../../../plugins/processors/redaction/patterns.js';

const CONFIG = (options = '{}') => `receivers: { push: }
processors: { redaction: ${options} }
exporters: { sink: }
service:
  pipelines:
    traces: { receivers: [push], processors: [redaction], exporters: [sink] }
    metrics: { receivers: [push], processors: [redaction], exporters: [sink] }
    logs: { receivers: [push], processors: [redaction], exporters: [sink] }
`;

let pipeline: RunningPipeline | undefined;
afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = undefined;
});

/** The attributes of one log record after the pipeline, with `options` as the processor's config. */
async function throughLogs(attributes: Record<string, unknown>, options = '{}', body: unknown = 'hello') {
  pipeline = await startPipeline(CONFIG(options), { plugins: [redaction] });
  const records = recordLogs((provider) =>
    provider.getLogger('app').emit({ body: body as string, attributes: attributes as never }),
  );
  await pipeline.push('logs', records);
  const [out] = pipeline.recorded.items('logs') as ReadableLogRecord[];
  return { attributes: out?.attributes as Record<string, unknown>, body: out?.body };
}

describe('redaction processor', () => {
  it('masks the whole value of keys that name a credential, and keeps the rest and counts', async () => {
    const { attributes } = await throughLogs({
      api_key: 'k-123456',
      'http.request.header.authorization': 'whatever',
      user_password: 'hunter22',
      'gen_ai.usage.input_tokens': 120,
      'tool.name': 'search',
    });
    expect(attributes).toEqual({
      api_key: '****',
      'http.request.header.authorization': '****',
      user_password: '****',
      'gen_ai.usage.input_tokens': 120,
      'tool.name': 'search',
    });
  });

  it('masks bearer tokens, API keys, key=value secrets, emails and card numbers inside strings', async () => {
    const { attributes } = await throughLogs({
      header: 'Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig and more',
      openai: 'using sk-proj-abcdefghijklmnop1234 now',
      aws: 'AKIAIOSFODNN7EXAMPLE',
      json: '{"query":"weather","api_key":"abc-123","max_tokens":100}',
      query: 'GET /x?password=p4ss&page=2',
      who: 'mail alice@example.com please',
      card: 'paid with 4111 1111 1111 1111',
      order: 'order 1234567890123456 shipped',
    });
    expect(attributes).toEqual({
      header: 'Bearer **** and more',
      openai: 'using **** now',
      aws: '****',
      json: '{"query":"weather","api_key":"****","max_tokens":100}',
      query: 'GET /x?password=****&page=2',
      who: 'mail **** please',
      card: 'paid with ****',
      order: 'order 1234567890123456 shipped',
    });
  });

  it('checks card numbers with Luhn', () => {
    expect(passesLuhn('4111 1111 1111 1111')).toBe(true);
    expect(passesLuhn('5500-0000-0000-0004')).toBe(true);
    expect(passesLuhn('1234567890123456')).toBe(false);
  });

  it('uses only the value patterns listed, plus the user blocked_values and blocked_key_patterns', async () => {
    const { attributes } = await throughLogs(
      { who: 'alice@example.com', ssn: 'id 123-45-6789', 'x-internal-id': 'abc', token: 't0ken' },
      '{ value_patterns: [bearer], blocked_values: ["\\\\d{3}-\\\\d{2}-\\\\d{4}"], blocked_key_patterns: ["^x-internal-"], mask_secret_keys: false }',
    );
    expect(attributes).toEqual({
      who: 'alice@example.com',
      ssn: 'id ****',
      'x-internal-id': '****',
      token: 't0ken',
    });
  });

  it('with allow_all_keys false keeps only allowed and ignored keys, and ignored keys are never masked', async () => {
    const { attributes } = await throughLogs(
      { 'tool.name': 'search', debug_token: 'keep-me', extra: 'dropped', note: 'bob@example.com' },
      '{ allow_all_keys: false, allowed_keys: [tool.name, note], ignored_keys: [debug_token] }',
    );
    expect(attributes).toEqual({ 'tool.name': 'search', debug_token: 'keep-me', note: '****' });
  });

  it('hashes instead of masking when hash_function is set, so equal secrets stay equal', async () => {
    const { attributes } = await throughLogs(
      { api_key: 'same-secret', auth: 'Bearer same-secret' },
      '{ hash_function: sha256 }',
    );
    const digest = createHash('sha256').update('same-secret').digest('hex');
    expect(attributes).toEqual({ api_key: digest, auth: `Bearer ${digest}` });
  });

  it('masks string log bodies and structured bodies at any depth', async () => {
    const text = await throughLogs({}, '{}', 'login with Authorization: Bearer abc.def.ghi');
    expect(text.body).toBe('login with Authorization: Bearer ****');
    await pipeline?.shutdown();
    const structured = await throughLogs({}, '{}', {
      user: { email: 'carol@example.com', credentials: { password: 'pw', pin: 1234 } },
      list: ['sk-abcdefghijklmnopqrstuv', 'fine'],
    });
    expect(structured.body).toEqual({
      user: { email: '****', credentials: { password: '****', pin: 1234 } },
      list: ['****', 'fine'],
    });
  });

  it('masks span, event and link attributes, and metric point attributes; resources stay', async () => {
    pipeline = await startPipeline(CONFIG(), { plugins: [redaction] });
    const spans = recordSpans((provider) => {
      const tracer = provider.getTracer('app');
      const linked = tracer.startSpan('linked');
      linked.end();
      const span = tracer.startSpan('call', {
        attributes: { token: 'abc-xyz' },
        links: [{ context: linked.spanContext(), attributes: { secret: 's3cr3t' } }],
      });
      span.addEvent('exception', { 'exception.message': 'bad key sk-abcdefghijklmnopqrst' });
      span.end();
    });
    await pipeline.push('traces', spans);
    const call = (pipeline.recorded.items('traces') as ReadableSpan[]).find((s) => s.name === 'call');
    expect(call?.attributes).toEqual({ token: '****' });
    expect(call?.events[0]?.attributes).toEqual({ 'exception.message': 'bad key ****' });
    expect(call?.links[0]?.attributes).toEqual({ secret: '****' });

    const metrics = await recordMetrics((provider) =>
      provider.getMeter('app').createCounter('calls').add(1, { user: 'dave@example.com', route: '/a' }),
    );
    await pipeline.push('metrics', metrics);
    const [rm] = pipeline.recorded.items('metrics') as ResourceMetrics[];
    expect(rm?.scopeMetrics[0]?.metrics[0]?.dataPoints[0]?.attributes).toEqual({ user: '****', route: '/a' });
  });

  it('masks a copy: a pipeline without redaction that shares the receiver still gets the original', async () => {
    pipeline = await startPipeline(
      `receivers: { push: }
processors: { redaction: }
exporters: { sink: , sink/raw: }
service:
  pipelines:
    logs/masked: { receivers: [push], processors: [redaction], exporters: [sink] }
    logs/raw: { receivers: [push], exporters: [sink/raw] }
`,
      { plugins: [redaction] },
    );
    await pipeline.push('logs', makeLogs(['Bearer abcdef'], { token: 't0ken' }));
    const [masked] = pipeline.recorded.items('logs') as ReadableLogRecord[];
    const [raw] = pipeline.recorded.items('logs', 'sink/raw') as ReadableLogRecord[];
    expect([masked?.body, masked?.attributes]).toEqual(['Bearer ****', { token: '****' }]);
    expect([raw?.body, raw?.attributes]).toEqual(['Bearer abcdef', { token: 't0ken' }]);
  });

  it('counts masked values and deleted keys in its own metrics', async () => {
    const telemetry = new SelfTelemetry();
    const ctx = testContext(
      redaction.config.parse({ allow_all_keys: false, allowed_keys: ['a', 'b'] }),
      'redaction',
      {
        kind: 'processor',
        meter: telemetry.meter,
        pipeline: 'logs',
      },
    );
    const create = redaction.create.logs as (
      c: unknown,
      next: { consume: () => Promise<void> },
    ) => {
      consume(batch: ReadableLogRecord[]): Promise<void>;
    };
    const processor = create(ctx, { consume: async () => {} });
    await processor.consume(makeLogs(['Bearer abcdef'], { a: 'x@example.com', b: 'ok', c: 'gone' }));
    const names = (await telemetry.collect()).scopeMetrics
      .flatMap((sm) => sm.metrics)
      .map((m) => [m.descriptor.name, m.dataPoints.map((p) => [p.value, p.attributes])]);
    const labels = { component: 'redaction', signal: 'logs' as Signal, pipeline: 'logs' };
    expect(Object.fromEntries(names)).toMatchObject({
      tributary_processor_redaction_masked_values: [[2, labels]],
      tributary_processor_redaction_deleted_keys: [[1, labels]],
    });
    await telemetry.shutdown();
  });

  it('rejects a regular expression that does not compile, saying where', () => {
    const result = redaction.config.safeParse({ blocked_values: ['(unclosed'] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['blocked_values', 0] });
    expect(result.error?.issues[0]?.message).toMatch(/regular expression/);
  });
});
