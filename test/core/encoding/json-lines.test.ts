import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { encodeBatch, isoTime, jsonValue, toJsonLines } from '../../../core/encoding/index.js';
import { makeLogs, makeMetrics, makeSpans, parseLines, plainLog, plainSpan, resource } from './telemetry.js';

describe('json lines: logs in the monitoring guide layout', () => {
  it('writes timestamp, level, message, logger, trace ids, attributes as keys, then resource', () => {
    const [inSpan, outside] = parseLines(toJsonLines('logs', makeLogs()));
    expect(inSpan).toEqual({
      timestamp: '2025-03-04T05:06:07.089Z',
      level: 'INFO',
      message: 'Tool execution started',
      logger: 'mcp.tools',
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      span_id: 'b7ad6b7169203331',
      tool_name: 'search',
      execution_id: 'e-42',
      'attributes.level': 'attribute-level',
      resource: { 'service.name': 'mcp-server', 'service.version': '1.0.0' },
    });
    expect(Object.keys(inSpan ?? {})).toEqual([
      'timestamp',
      'level',
      'message',
      'logger',
      'trace_id',
      'span_id',
      'tool_name',
      'execution_id',
      'attributes.level',
      'resource',
    ]);
    // No span: no trace ids; ERROR2 reads as ERROR; an object body is its JSON text.
    expect(outside).not.toHaveProperty('trace_id');
    expect(outside?.level).toBe('ERROR');
    expect(JSON.parse(outside?.message as string)).toEqual({ error: 'timeout', after_ms: 250 });
  });

  it('prefers severityText and derives every severity range from the number otherwise', () => {
    const [base] = makeLogs() as [ReadableLogRecord];
    const levels = [0, 1, 5, 8, 9, 13, 17, 21, 24, 99].map((severityNumber) => {
      const [line] = parseLines(
        toJsonLines('logs', [plainLog(base, { severityNumber, severityText: undefined })]),
      );
      return line?.level;
    });
    expect(levels).toEqual([
      'UNSPECIFIED',
      'TRACE',
      'DEBUG',
      'DEBUG',
      'INFO',
      'WARN',
      'ERROR',
      'FATAL',
      'FATAL',
      'UNSPECIFIED',
    ]);
    const [text] = parseLines(
      toJsonLines('logs', [plainLog(base, { severityNumber: SeverityNumber.WARN, severityText: 'warning' })]),
    );
    // Upper case, as the guide's levelname and the engine's own diagnostics.
    expect(text?.level).toBe('WARNING');
  });

  it('keeps a trace_id attribute as is when the record has no span context', () => {
    const [, outside] = makeLogs() as [ReadableLogRecord, ReadableLogRecord];
    const record = plainLog(outside, { attributes: { trace_id: 'from-python', logger: 'x' } });
    const [line] = parseLines(toJsonLines('logs', [record]));
    expect(line?.trace_id).toBe('from-python');
    expect(line?.logger).toBe('mcp.tools');
    expect(line?.['attributes.logger']).toBe('x');
  });
});

describe('json lines: spans', () => {
  it('writes the parent id, times, duration, status, events and resource', () => {
    const [child, parent] = parseLines(toJsonLines('traces', makeSpans()));
    expect(child).toMatchObject({
      name: 'tool_execution_search',
      kind: 'INTERNAL',
      parent_span_id: parent?.span_id,
      trace_id: parent?.trace_id,
      start_time: '2023-11-14T22:13:20.001Z',
      end_time: '2023-11-14T22:13:20.251Z',
      duration_ms: 250.234567,
      status: { code: 'ERROR', message: 'upstream timed out' },
      attributes: { 'tool.name': 'search', 'tool.parameters': '{"q":"otel"}' },
      events: [{ name: 'tool.started', time: '2023-11-14T22:13:20.002Z', attributes: { attempt: 1 } }],
      scope: 'mcp.server',
      resource: { 'service.name': 'mcp-server', 'service.version': '1.0.0' },
    });
    expect(child?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(child).not.toHaveProperty('links');
    expect(parent).toMatchObject({
      kind: 'SERVER',
      parent_span_id: null,
      status: { code: 'OK' },
      duration_ms: 300,
    });
    expect(parent?.status).not.toHaveProperty('message');
  });
});

describe('json lines: metric points', () => {
  it('writes one line per point with its type, value and per-bucket histogram counts', async () => {
    const lines = parseLines(toJsonLines('metrics', await makeMetrics()));
    const byName = Object.fromEntries(lines.map((l) => [l.name, l]));
    expect(lines).toHaveLength(4);
    expect(byName.mcp_requests_total).toMatchObject({
      type: 'counter',
      description: 'Total requests',
      temporality: 'cumulative',
      attributes: { method: 'tools/call', endpoint: '/mcp' },
      value: 3,
      scope: 'mcp.metrics',
      resource: { 'service.name': 'mcp-server' },
    });
    expect(byName.mcp_active_connections).toMatchObject({ type: 'up_down_counter', value: -2 });
    expect(byName.mcp_cpu_usage_percent).toMatchObject({ type: 'gauge', unit: '%', value: 42.5 });
    expect(byName.mcp_cpu_usage_percent).not.toHaveProperty('temporality');
    expect(byName.mcp_request_duration_seconds).toMatchObject({
      type: 'histogram',
      unit: 's',
      count: 5,
      sum: 3.25,
      min: 0.05,
      max: 2,
      buckets: [
        { le: 0.1, count: 1 },
        { le: 0.5, count: 2 },
        { le: 1, count: 1 },
        { le: '+Inf', count: 1 },
      ],
    });
    for (const line of lines) {
      expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(line.start_time).toMatch(/Z$/);
    }
  });
});

describe('json lines: values JSON cannot hold', () => {
  it('encodes bigint, NaN, Infinity, bytes, cycles and functions without throwing', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const [span] = makeSpans() as [ReadableSpan];
    const odd = plainSpan(span, {
      attributes: {
        big: 12345678901234567890n,
        nan: Number.NaN,
        inf: Number.POSITIVE_INFINITY,
        bytes: new Uint8Array([1, 2, 3]),
        cyclic,
        fn: () => 1,
        list: [1, undefined, Number.NEGATIVE_INFINITY, 2n],
        when: new Date('2025-01-01T00:00:00Z'),
        error: new Error('boom'),
      } as unknown as ReadableSpan['attributes'],
    });
    const [line] = parseLines(toJsonLines('traces', [odd]));
    expect(line?.attributes).toEqual({
      big: '12345678901234567890',
      nan: null,
      inf: null,
      bytes: 'AQID',
      cyclic: { name: 'loop', self: '[Circular]' },
      list: [1, null, null, '2'],
      when: '2025-01-01T00:00:00.000Z',
      error: { name: 'Error', message: 'boom' },
    });
  });

  it('writes a log with bad times, no body and a bigint body as valid JSON', () => {
    const [base] = makeLogs() as [ReadableLogRecord];
    const records = [
      plainLog(base, { hrTime: [Number.NaN, 0], hrTimeObserved: [Number.NaN, 0], body: undefined }),
      plainLog(base, { body: 10n as unknown as string }),
    ];
    const [bad, big] = parseLines(toJsonLines('logs', records));
    expect(bad).toMatchObject({ timestamp: null, message: '' });
    expect(big?.message).toBe('"10"');
  });

  it('uses the observed time when a record has no timestamp', () => {
    const [base] = makeLogs() as [ReadableLogRecord];
    const record = plainLog(base, { hrTime: [0, 0], hrTimeObserved: [1_700_000_000, 5_000_000] });
    expect(parseLines(toJsonLines('logs', [record]))[0]?.timestamp).toBe('2023-11-14T22:13:20.005Z');
  });
});

describe('json lines: helpers', () => {
  it('formats times across seconds, before 1970 and out of range', () => {
    expect(isoTime([1_700_000_000, 7_000_000])).toBe('2023-11-14T22:13:20.007Z');
    expect(isoTime([1_700_000_001, 999_999_999])).toBe('2023-11-14T22:13:21.999Z');
    expect(isoTime([-1, 500_000_000])).toBe('1969-12-31T23:59:59.500Z');
    expect(isoTime([1e20, 0])).toBeUndefined();
    expect(jsonValue({ a: [1, { b: 'c' }], u: undefined })).toBe('{"a":[1,{"b":"c"}]}');
  });

  it('encodes a batch into one buffer of complete lines, and nothing for an empty batch', () => {
    const bytes = encodeBatch('json', 'traces', makeSpans());
    expect(bytes.toString('utf8').split('\n')).toHaveLength(3);
    expect(encodeBatch('json', 'logs', [])).toHaveLength(0);
  });

  it('reads a plain object that satisfies ReadableSpan, as decoding receivers build', () => {
    const span: ReadableSpan = {
      name: 'decoded',
      kind: SpanKind.CLIENT,
      spanContext: () => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 }),
      startTime: [10, 0],
      endTime: [10, 500],
      duration: [0, 500],
      status: { code: SpanStatusCode.UNSET },
      attributes: {},
      links: [{ context: { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: 0 } }],
      events: [],
      ended: true,
      resource,
      instrumentationScope: { name: 'decoder' },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
    const [line] = parseLines(toJsonLines('traces', [span]));
    expect(line).toMatchObject({
      kind: 'CLIENT',
      duration_ms: 0.0005,
      status: { code: 'UNSET' },
      links: [{ trace_id: 'c'.repeat(32), span_id: 'd'.repeat(16), attributes: {} }],
    });
  });
});
