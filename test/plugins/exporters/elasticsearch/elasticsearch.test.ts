import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Attributes } from '@opentelemetry/api';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Exporter } from '../../../../core/component.js';
import type { CreateContext } from '../../../../core/plugin.js';
import { SelfTelemetry } from '../../../../core/telemetry/self.js';
import {
  checkConformance,
  recordLogs,
  startPipeline,
  testContext,
  testHost,
} from '../../../../core/testing/index.js';
import type { ElasticsearchConfig } from '../../../../plugins/exporters/elasticsearch/config.js';
import elasticsearch from '../../../../plugins/exporters/elasticsearch/index.js';
import { IndexName } from '../../../../plugins/exporters/elasticsearch/index-name.js';
import { makeLogs, makeSpans, resource } from '../../../core/encoding/telemetry.js';
import { MockElasticsearch } from './mock-elasticsearch.js';

type LogLine = { level: number; msg: string } & Record<string, unknown>;
const WARN = 40;

/** Fast retries for tests. */
const quickRetry = { initial_interval: '10ms', max_interval: '20ms', max_elapsed_time: 0 };

let dir: string;
let es: MockElasticsearch;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-es-'));
  es = await MockElasticsearch.start();
});
afterEach(async () => {
  await es.close();
  await rm(dir, { recursive: true, force: true });
});

/** Log records as an MCP server's request logs, numbered by `seq` (unique), on `day` (UTC). */
function requestLogs(from: number, count: number, attributes: (seq: number) => Attributes = () => ({})) {
  return recordLogs(
    (provider) => {
      const logger = provider.getLogger('mcp.requests');
      for (let seq = from; seq < from + count; seq++) {
        logger.emit({
          timestamp: new Date(Date.UTC(2025, 2, 4, 12, 0, 0, seq)),
          severityNumber: 9,
          body: 'Request completed',
          attributes: { seq, request_id: `req-${seq}`, tool_name: 'search', ...attributes(seq) },
        });
      }
    },
    { resource },
  );
}

/** The exporter built by hand, with its logs and self-metrics kept for assertions. */
function handBuilt(config: Record<string, unknown>) {
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const telemetry = new SelfTelemetry();
  const ctx: CreateContext<ElasticsearchConfig> = testContext(
    elasticsearch.config.parse({ ...defaults(), ...config }),
    'elasticsearch',
    { kind: 'exporter', logger, meter: telemetry.meter },
  );
  const exporter = elasticsearch.create.logs?.(ctx) as Exporter<'logs'>;
  const host = testHost({ logger, meter: telemetry.meter });
  async function metric(name: string): Promise<number> {
    const collected = await telemetry.collect();
    for (const sm of collected.scopeMetrics) {
      for (const m of sm.metrics) {
        if (m.descriptor.name !== name) continue;
        for (const point of m.dataPoints) {
          const attributes = point.attributes as Attributes;
          if (attributes.component === 'elasticsearch' && attributes.signal === 'logs') {
            return point.value as number;
          }
        }
      }
    }
    return 0;
  }
  return { exporter, host, logs, metric };
}

const deadLetterPath = () => join(dir, 'dead-letter.jsonl');

/** The mock as the endpoint, a dead-letter file in the test's directory, bulk requests sent after 5ms. */
const defaults = () => ({
  endpoints: [es.url],
  dead_letter: { path: deadLetterPath() },
  flush: { interval: '5ms' },
});

/** The dead-letter file's complete lines (a line being written is not read). */
async function deadLetters(): Promise<Record<string, unknown>[]> {
  let text: string;
  try {
    text = await readFile(deadLetterPath(), 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n');
  lines.pop();
  return lines.map((line) => JSON.parse(line));
}

function pipelineYaml(exporter: Record<string, unknown>, signal = 'logs'): string {
  const config = { ...defaults(), ...exporter };
  return `
receivers: { push: {} }
exporters:
  elasticsearch: ${JSON.stringify(config)}
service:
  pipelines:
    ${signal}: { receivers: [push], exporters: [elasticsearch] }
`;
}

describe('elasticsearch exporter config', () => {
  it('defaults to a daily mcp-server index on localhost, ECS documents, 5MiB / 1s bulk requests', () => {
    const config = elasticsearch.config.parse({});
    expect(config).toMatchObject({
      endpoints: ['http://localhost:9200'],
      mapping: 'ecs',
      flush: { bytes: 5 * 1024 * 1024, interval: 1000 },
      dead_letter: { path: './tributary-elasticsearch-dead-letter.jsonl' },
      tls: { insecure_skip_verify: false },
      timeout: 5000,
    });
    expect(config.index).toBeUndefined();
    expect(config.data_stream).toBeUndefined();
  });

  it('rejects what Elasticsearch or the exporter could not use', () => {
    const invalid = (config: unknown) => elasticsearch.config.safeParse(config).success === false;
    expect(invalid({ index: 'logs', data_stream: {} })).toBe(true);
    expect(invalid({ index: 'Logs-%{+yyyy}' })).toBe(true);
    expect(invalid({ index: 'logs-%{[tool_name]}' })).toBe(true);
    expect(invalid({ index: 'logs-%{+yyyy.QQ}' })).toBe(true);
    expect(invalid({ index: '_logs' })).toBe(true);
    expect(invalid({ data_stream: { dataset: 'mcp-server' } })).toBe(true);
    expect(invalid({ endpoints: ['ftp://es:9200'] })).toBe(true);
    expect(invalid({ endpoints: [] })).toBe(true);
    expect(invalid({ auth: { api_key: 'k', username: 'u' } })).toBe(true);
    expect(invalid({ auth: { password: 'p' } })).toBe(true);
    expect(invalid({ flush: { interval: '5s' } })).toBe(true); // not shorter than timeout
    expect(invalid({ flush: { bytes: '0B' } })).toBe(true);
    expect(invalid({ index_name: 'mcp-server' })).toBe(true);
  });

  it('reads empty credentials as no authentication, and a numeric password as text', () => {
    expect(elasticsearch.config.parse({ auth: { api_key: '' } }).auth).toEqual({ api_key: '' });
    expect(elasticsearch.config.parse({ auth: { username: 'elastic', password: 123456 } }).auth).toEqual({
      username: 'elastic',
      password: '123456',
    });
  });
});

describe('index names', () => {
  const at = (iso: string) => Date.parse(iso);
  const render = (template: string, iso: string) => (IndexName.parse(template) as IndexName).render(at(iso));

  it('renders Logstash date patterns from the UTC time of the document', () => {
    expect(render('mcp-server-%{+yyyy.MM.dd}', '2025-03-04T23:59:59.999Z')).toBe('mcp-server-2025.03.04');
    expect(render('mcp-server-%{+yyyy.MM.dd}', '2025-03-05T00:00:00.000Z')).toBe('mcp-server-2025.03.05');
    expect(render('mcp-%{+yy.MM}-x', '2025-11-04T00:00:00Z')).toBe('mcp-25.11-x');
    expect(render('mcp-%{+yyyy.MM.dd.HH}', '2025-03-04T07:30:00Z')).toBe('mcp-2025.03.04.07');
    // ISO weeks: 2025-12-29 (a Monday) is in week 1 of 2026.
    expect(render('mcp-%{+xxxx.ww}', '2025-12-29T00:00:00Z')).toBe('mcp-2026.01');
    expect(render('mcp-server', '2025-12-29T00:00:00Z')).toBe('mcp-server');
  });

  it('says what is wrong with a template', () => {
    expect(IndexName.parse('mcp-%{tool}')).toMatch(/unsupported pattern "%\{tool\}"/);
    expect(IndexName.parse('mcp-%{+yyyy')).toMatch(/not closed/);
    expect(IndexName.parse('MCP')).toMatch(/lower case/);
    expect(IndexName.parse('mcp server')).toMatch(/cannot contain " "/);
  });
});

describe('elasticsearch exporter', () => {
  it('meets the component contract for logs and traces', async () => {
    const signals = await checkConformance(elasticsearch, {
      config: { endpoints: [es.url], dead_letter: { path: deadLetterPath() } },
    });
    expect(signals).toEqual(['logs', 'traces']);
  });

  it('indexes log records as ECS documents into the index of their day, configured in YAML', async () => {
    const pipeline = await startPipeline(pipelineYaml({ index: 'mcp-server-%{+yyyy.MM.dd}' }), {
      plugins: [elasticsearch],
    });
    await pipeline.push('logs', makeLogs());
    await pipeline.shutdown();

    expect([...es.indexed.keys()]).toEqual(['mcp-server-2025.03.04']);
    const [started, failed] = es.indexed.get('mcp-server-2025.03.04') ?? [];
    expect(started).toEqual({
      '@timestamp': '2025-03-04T05:06:07.089Z',
      'log.level': 'INFO',
      message: 'Tool execution started',
      'log.logger': 'mcp.tools',
      'event.severity': 9,
      'trace.id': '0af7651916cd43dd8448eb211c80319c',
      'span.id': 'b7ad6b7169203331',
      tool_name: 'search',
      execution_id: 'e-42',
      level: 'attribute-level',
      'service.name': 'mcp-server',
      'service.version': '1.0.0',
      resource: { 'service.name': 'mcp-server', 'service.version': '1.0.0' },
    });
    expect(failed).toMatchObject({
      'log.level': 'ERROR',
      message: '{"error":"timeout","after_ms":250}',
      tool_name: 'search',
    });
    expect(failed).not.toHaveProperty('trace.id');
    expect(es.requests[0]?.operations.map((o) => o.op)).toEqual(['index', 'index']);
  });

  it('moves attributes that collide with ECS fields under attributes.', async () => {
    const pipeline = await startPipeline(pipelineYaml({}), { plugins: [elasticsearch] });
    await pipeline.push(
      'logs',
      requestLogs(0, 1, () => ({ message: 'm', service: 'svc', 'log.level': 'x', 'resource.zone': 'a' })),
    );
    await pipeline.shutdown();
    expect(es.documents()[0]).toMatchObject({
      message: 'Request completed',
      'attributes.message': 'm',
      'attributes.service': 'svc',
      'attributes.log.level': 'x',
      'attributes.resource.zone': 'a',
      request_id: 'req-0',
    });
  });

  it('puts each record in the index of its own day', async () => {
    const logs = recordLogs((provider) => {
      const logger = provider.getLogger('mcp');
      for (const iso of ['2025-03-04T23:59:59.999Z', '2025-03-05T00:00:00.000Z', '2025-03-05T12:00:00Z']) {
        logger.emit({ timestamp: new Date(iso), body: iso });
      }
    });
    const pipeline = await startPipeline(pipelineYaml({}), { plugins: [elasticsearch] });
    await pipeline.push('logs', logs);
    await pipeline.shutdown();
    expect(
      Object.fromEntries([...es.indexed].map(([index, docs]) => [index, docs.map((d) => d.message)])),
    ).toEqual({
      'mcp-server-2025.03.04': ['2025-03-04T23:59:59.999Z'],
      'mcp-server-2025.03.05': ['2025-03-05T00:00:00.000Z', '2025-03-05T12:00:00Z'],
    });
  });

  it('indexes spans with their trace, parent, duration in nanoseconds and outcome', async () => {
    const pipeline = await startPipeline(pipelineYaml({ index: 'mcp-spans-%{+yyyy.MM}' }, 'traces'), {
      plugins: [elasticsearch],
    });
    await pipeline.push('traces', makeSpans());
    await pipeline.shutdown();
    const spans = es.indexed.get('mcp-spans-2023.11') ?? [];
    const parent = spans.find((s) => s['span.name'] === 'POST /mcp');
    const child = spans.find((s) => s['span.name'] === 'tool_execution_search');
    expect(child).toMatchObject({
      '@timestamp': '2023-11-14T22:13:20.001Z',
      'span.kind': 'INTERNAL',
      'trace.id': parent?.['trace.id'],
      'parent.id': parent?.['span.id'],
      'event.start': '2023-11-14T22:13:20.001Z',
      'event.end': '2023-11-14T22:13:20.251Z',
      'event.duration': 250_234_567,
      'event.outcome': 'failure',
      'error.message': 'upstream timed out',
      'service.framework.name': 'mcp.server',
      'service.name': 'mcp-server',
      'tool.name': 'search',
      'tool.parameters': '{"q":"otel"}',
      'span.events': [
        { name: 'tool.started', '@timestamp': '2023-11-14T22:13:20.002Z', attributes: { attempt: 1 } },
      ],
    });
    expect(parent).toMatchObject({ 'span.kind': 'SERVER', 'event.outcome': 'success' });
    expect(parent).not.toHaveProperty('parent.id');
  });

  it('writes the JSON line layout of the file exporter, with @timestamp, under mapping: raw', async () => {
    const pipeline = await startPipeline(pipelineYaml({ mapping: 'raw' }), { plugins: [elasticsearch] });
    await pipeline.push('logs', makeLogs());
    await pipeline.shutdown();
    const [first] = es.documents();
    expect(Object.keys(first ?? {}).slice(0, 3)).toEqual(['@timestamp', 'timestamp', 'level']);
    expect(first).toMatchObject({
      '@timestamp': '2025-03-04T05:06:07.089Z',
      timestamp: '2025-03-04T05:06:07.089Z',
      level: 'INFO',
      logger: 'mcp.tools',
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      tool_name: 'search',
      'attributes.level': 'attribute-level',
      resource: { 'service.name': 'mcp-server' },
    });
  });

  it('writes to a data stream with op_type create', async () => {
    const pipeline = await startPipeline(
      pipelineYaml({ data_stream: { dataset: 'mcp_server', namespace: 'prod' } }),
      { plugins: [elasticsearch] },
    );
    await pipeline.push('logs', makeLogs());
    await pipeline.shutdown();
    const operations = es.requests.flatMap((r) => r.operations);
    expect(operations.map((o) => [o.op, o.index])).toEqual([
      ['create', 'logs-mcp_server-prod'],
      ['create', 'logs-mcp_server-prod'],
    ]);
    expect(operations[0]?.source).toMatchObject({
      '@timestamp': '2025-03-04T05:06:07.089Z',
      'data_stream.type': 'logs',
      'data_stream.dataset': 'mcp_server',
      'data_stream.namespace': 'prod',
    });
  });

  it.each([
    [{ api_key: 'c2VjcmV0OmtleQ==' }, 'ApiKey c2VjcmV0OmtleQ=='],
    [
      { username: 'elastic', password: 'changeme' },
      `Basic ${Buffer.from('elastic:changeme').toString('base64')}`,
    ],
    [{ api_key: '' }, undefined],
  ])('authenticates with %j', async (auth, header) => {
    const pipeline = await startPipeline(pipelineYaml({ auth }), { plugins: [elasticsearch] });
    await pipeline.push('logs', makeLogs());
    await pipeline.shutdown();
    expect(es.requests).toHaveLength(1);
    expect(es.requests[0]?.headers.authorization).toBe(header);
  });

  it('takes credentials from the environment', async () => {
    const yaml = pipelineYaml({}).replace(
      '"endpoints"',
      '"auth":{"api_key":"${env:ES_TEST_API_KEY:-}"},"endpoints"',
    );
    const pipeline = await startPipeline(yaml, {
      plugins: [elasticsearch],
      env: { ES_TEST_API_KEY: 'from-env' },
    });
    await pipeline.push('logs', makeLogs());
    await pipeline.shutdown();
    expect(es.requests[0]?.headers.authorization).toBe('ApiKey from-env');
  });

  it('splits bulk requests at flush.bytes', async () => {
    const pipeline = await startPipeline(pipelineYaml({ flush: { bytes: '2KiB', interval: 0 } }), {
      plugins: [elasticsearch],
    });
    await pipeline.push('logs', requestLogs(0, 40));
    await pipeline.shutdown();
    expect(es.requests.length).toBeGreaterThan(3);
    for (const request of es.requests) expect(request.bytes).toBeLessThanOrEqual(2048);
    expect(es.documents().map((d) => d.seq)).toEqual([...Array(40).keys()]);
  });

  it('gathers the batches of concurrent senders into one bulk request', async () => {
    const { exporter, host } = handBuilt({
      flush: { interval: '8s' },
      timeout: '10s',
      sending_queue: { num_consumers: 2 },
    });
    await exporter.start(host);
    // Two batches, two workers: once both wait, the request goes without waiting for the interval.
    await exporter.consume(requestLogs(0, 3));
    await exporter.consume(requestLogs(3, 3));
    await expect.poll(() => es.documents().length).toBe(6);
    await exporter.shutdown();
    expect(es.requests).toHaveLength(1);
  });

  it('dead-letters the documents of a request Elasticsearch refuses as a whole with 400', async () => {
    es.answerRequest = () => ({
      status: 400,
      body: {
        error: { type: 'action_request_validation_exception', reason: 'no requests added' },
        status: 400,
      },
    });
    const { exporter, host, metric } = handBuilt({});
    await exporter.start(host);
    await exporter.consume(requestLogs(0, 2));
    await exporter.shutdown();
    const letters = await deadLetters();
    expect(
      letters.map((l) => [l.status, (l.error as { type: string }).type, (l.document as { seq: number }).seq]),
    ).toEqual([
      [400, 'action_request_validation_exception', 0],
      [400, 'action_request_validation_exception', 1],
    ]);
    expect(await metric('tributary_exporter_dead_lettered_items')).toBe(2);
  });

  it('keeps rejected documents until the dead-letter file can be written, without sending them again', async () => {
    es.answerItem = () => ({ status: 400, error: { type: 'mapper_parsing_exception', reason: 'bad field' } });
    const blocked = join(dir, 'blocked');
    await writeFile(blocked, 'a file where a directory should be');
    const path = join(blocked, 'dead-letter.jsonl');
    const { exporter, host, logs } = handBuilt({ dead_letter: { path }, retry_on_failure: quickRetry });
    await exporter.start(host);
    await exporter.consume(requestLogs(0, 2));
    await expect
      .poll(() => logs.some((l) => String(l.error).includes('TRB_EXPORTER_DEAD_LETTER_WRITE')))
      .toBe(true);
    await rm(blocked);
    await exporter.shutdown();
    const letters = (await readFile(path, 'utf8')).trim().split('\n');
    expect(letters.map((l) => JSON.parse(l).document.seq)).toEqual([0, 1]);
    expect(es.received).toHaveLength(2);
  });

  it('retries a request refused as a whole with 401 until the credentials work', async () => {
    es.answerRequest = (n) =>
      n <= 2
        ? { status: 401, body: { error: { type: 'security_exception', reason: 'unable to authenticate' } } }
        : undefined;
    const { exporter, host, logs } = handBuilt({ retry_on_failure: quickRetry });
    await exporter.start(host);
    await exporter.consume(requestLogs(0, 2));
    await exporter.shutdown();
    expect(es.documents()).toHaveLength(2);
    expect(logs.some((l) => l.level === WARN && String(l.error).includes('401 security_exception'))).toBe(
      true,
    );
  });

  it('indexes every document once or dead-letters it with its reason, through 429s, mapping errors and an outage', async () => {
    const poison = (seq: number) => seq % 13 === 3;
    // Request logs of an MCP server; some carry a `status` Elasticsearch cannot map.
    const batch = (from: number) =>
      requestLogs(from, 10, (seq) => (poison(seq) ? { status: 'not-a-number' } : { status: 200 }));
    const tries = new Map<number, number>();
    es.answerItem = ({ source }) => {
      const seq = source.seq as number;
      const attempt = (tries.get(seq) ?? 0) + 1;
      tries.set(seq, attempt);
      if (poison(seq)) {
        return {
          status: 400,
          error: {
            type: 'mapper_parsing_exception',
            reason: `failed to parse field [status] of type [long] in document with seq ${seq}`,
          },
        };
      }
      if (seq % 5 === 0 && attempt <= 2) {
        return {
          status: 429,
          error: {
            type: 'es_rejected_execution_exception',
            reason: 'rejected execution of coordinating operation',
          },
        };
      }
      if (seq % 7 === 0 && attempt === 1) {
        return {
          status: 503,
          error: { type: 'unavailable_shards_exception', reason: 'primary shard is not active' },
        };
      }
      return undefined;
    };
    const { exporter, host, logs, metric } = handBuilt({
      flush: { bytes: '4KiB', interval: '5ms' },
      retry_on_failure: quickRetry,
    });
    await exporter.start(host);
    const handled = async () => es.documents().length + (await deadLetters()).length;

    // Up: 100 records.
    for (let from = 0; from < 100; from += 10) await exporter.consume(batch(from));
    await expect.poll(handled).toBe(100);
    // Every send has returned, so the 429s' outage has ended (and been logged).
    await expect.poll(() => metric('tributary_exporter_sent_items')).toBe(100);

    // Down: connections refused until the exporter has tried and failed (logged once per outage).
    const upLines = logs.length;
    await es.down();
    for (let from = 100; from < 200; from += 10) await exporter.consume(batch(from));
    await expect.poll(() => logs.slice(upLines).some((l) => l.msg === 'send failed; will retry')).toBe(true);

    // Back on the same port; its first answer is a 503 for the whole request.
    let recovered = false;
    const first = es.requests.length + 1;
    es.answerRequest = (n) => {
      if (n !== first) return undefined;
      recovered = true;
      return {
        status: 503,
        body: { error: { type: 'master_not_discovered_exception', reason: 'not ready' } },
      };
    };
    await es.up();
    for (let from = 200; from < 250; from += 10) await exporter.consume(batch(from));
    await exporter.shutdown();
    expect(recovered).toBe(true);

    const all = [...Array(250).keys()];
    const indexed = es.documents().map((d) => d.seq as number);
    const letters = await deadLetters();
    const rejected = letters.map((l) => (l.document as { seq: number }).seq);
    // None lost, none twice.
    expect([...indexed, ...rejected].sort((a, b) => a - b)).toEqual(all);
    expect(new Set(indexed).size).toBe(indexed.length);
    expect(rejected.sort((a, b) => a - b)).toEqual(all.filter(poison));
    // No document was sent again once Elasticsearch had answered it for good.
    const final = new Set<number>();
    for (const { source, status } of es.received) {
      const seq = source.seq as number;
      expect(final.has(seq), `seq ${seq} was sent again after a final answer`).toBe(false);
      if (status !== 429 && status < 500) final.add(seq);
    }
    // The 429s and 503s were retried: seq 5 was refused twice, then indexed.
    expect(es.received.filter((r) => r.source.seq === 5).map((r) => r.status)).toEqual([429, 429, 201]);

    expect(letters[0]).toMatchObject({
      component: 'elasticsearch',
      signal: 'logs',
      index: 'mcp-server-2025.03.04',
      op_type: 'index',
      status: 400,
      error: {
        type: 'mapper_parsing_exception',
        reason: expect.stringContaining('failed to parse field [status]'),
      },
      document: { 'log.level': 'INFO', message: 'Request completed', status: 'not-a-number' },
    });
    expect(Date.parse(letters[0]?.['@timestamp'] as string)).not.toBeNaN();

    expect(await metric('tributary_exporter_dead_lettered_items')).toBe(rejected.length);
    expect(await metric('tributary_exporter_sent_items')).toBe(250);
    expect(await metric('tributary_exporter_send_failed_items')).toBe(0);
    expect(await metric('tributary_exporter_dropped_items')).toBe(0);
    const told = logs.filter((l) => l.msg.includes('written to the dead-letter file'));
    expect(told.reduce((n, l) => n + (l.items as number), 0)).toBe(rejected.length);
    expect(told[0]).toMatchObject({ level: WARN, status: 400, error_type: 'mapper_parsing_exception' });
  });
});

describe('elasticsearch exporter over TLS', () => {
  const run = promisify(execFile);
  let tlsDir: string;
  let tlsEs: MockElasticsearch;
  beforeEach(async () => {
    tlsDir = await mkdtemp(join(tmpdir(), 'tributary-es-tls-'));
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(tlsDir, 'key.pem'),
      '-out',
      join(tlsDir, 'cert.pem'),
    ]);
    tlsEs = await MockElasticsearch.start({
      tls: {
        key: await readFile(join(tlsDir, 'key.pem'), 'utf8'),
        cert: await readFile(join(tlsDir, 'cert.pem'), 'utf8'),
      },
    });
  });
  afterEach(async () => {
    await tlsEs.close();
    await rm(tlsDir, { recursive: true, force: true });
  });

  it.each([
    ['a CA file', () => ({ ca_file: join(tlsDir, 'cert.pem') })],
    ['insecure_skip_verify', () => ({ insecure_skip_verify: true })],
  ])('connects to a self-signed server with %s', async (_, tls) => {
    const pipeline = await startPipeline(pipelineYaml({ endpoints: [tlsEs.url], tls: tls() }), {
      plugins: [elasticsearch],
    });
    await pipeline.push('logs', makeLogs());
    await pipeline.shutdown();
    expect(tlsEs.documents()).toHaveLength(2);
  });

  it('does not start with a CA file it cannot read', async () => {
    const { exporter, host } = handBuilt({ tls: { ca_file: join(tlsDir, 'missing.pem') } });
    await expect(exporter.start(host)).rejects.toThrow(/cannot read tls.ca_file .*missing.pem/);
    await exporter.shutdown();
  });
});
