import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { encodeBatch } from '../../../core/encoding/index.js';
import { makeLogs, makeMetrics, makeSpans, parseLines, plainSpan } from './telemetry.js';

// OTLP/JSON as the Collector's otlpjsonfile receiver reads it: one export request per line.
describe('otlp_json lines', () => {
  it('writes a trace batch as one ExportTraceServiceRequest', () => {
    const lines = parseLines(encodeBatch('otlp_json', 'traces', makeSpans()).toString('utf8'));
    expect(lines).toHaveLength(1);
    const request = lines[0] as any;
    const scopeSpans = request.resourceSpans[0].scopeSpans[0];
    expect(scopeSpans.scope.name).toBe('mcp.server');
    expect(scopeSpans.spans[0].name).toBe('tool_execution_search');
    expect(scopeSpans.spans[0].parentSpanId).toBe(scopeSpans.spans[1].spanId);
    expect(scopeSpans.spans[0].startTimeUnixNano).toBe('1700000000001000000');
    expect(request.resourceSpans[0].resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'mcp-server' },
    });
  });

  it('writes one ExportMetricsServiceRequest per ResourceMetrics with the histogram intact', async () => {
    const batch = await makeMetrics();
    const lines = parseLines(encodeBatch('otlp_json', 'metrics', [...batch, ...batch]).toString('utf8'));
    expect(lines).toHaveLength(2);
    const metrics = (lines[0] as any).resourceMetrics[0].scopeMetrics[0].metrics;
    const histogram = metrics.find((m: any) => m.name === 'mcp_request_duration_seconds').histogram;
    expect(histogram.dataPoints[0]).toMatchObject({
      count: 5,
      explicitBounds: [0.1, 0.5, 1],
      bucketCounts: [1, 2, 1, 1],
    });
  });

  it('writes a log batch as one ExportLogsServiceRequest with trace ids in hex', () => {
    const lines = parseLines(encodeBatch('otlp_json', 'logs', makeLogs()).toString('utf8'));
    expect(lines).toHaveLength(1);
    const records = (lines[0] as any).resourceLogs[0].scopeLogs[0].logRecords;
    expect(records[0]).toMatchObject({
      body: { stringValue: 'Tool execution started' },
      severityNumber: 9,
      traceId: '0af7651916cd43dd8448eb211c80319c',
    });
  });

  it('writes nothing for an empty batch', () => {
    expect(encodeBatch('otlp_json', 'traces', [])).toHaveLength(0);
    expect(encodeBatch('otlp_json', 'metrics', [])).toHaveLength(0);
  });

  it('turns a batch it cannot encode into a PermanentError', () => {
    const [span] = makeSpans() as [ReadableSpan];
    const broken = plainSpan(span, { startTime: [Number.NaN, 0] });
    expect(() => encodeBatch('otlp_json', 'traces', [broken])).toThrow(/cannot encode traces as otlp_json/);
    try {
      encodeBatch('otlp_json', 'traces', [broken]);
    } catch (err) {
      expect((err as Error).name).toBe('PermanentError');
    }
  });
});
