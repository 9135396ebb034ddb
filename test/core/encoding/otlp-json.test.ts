import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../../core/component.js';
import { encodeBatch } from '../../../core/encoding/index.js';
import { makeLogs, makeMetrics, makeSpans, parseOtlpLines, plainSpan } from './telemetry.js';

// OTLP/JSON as the Collector's otlpjsonfile receiver reads it: one export request per line.
describe('otlp_json lines', () => {
  it('writes a trace batch as one ExportTraceServiceRequest', () => {
    const requests = parseOtlpLines(encodeBatch('otlp_json', 'traces', makeSpans()).toString('utf8'));
    expect(requests).toHaveLength(1);
    const resourceSpans = requests[0]?.resourceSpans[0];
    const scopeSpans = resourceSpans?.scopeSpans[0];
    expect(scopeSpans?.scope.name).toBe('mcp.server');
    expect(scopeSpans?.spans[0]).toMatchObject({
      name: 'tool_execution_search',
      parentSpanId: scopeSpans?.spans[1]?.spanId,
      startTimeUnixNano: '1700000000001000000',
    });
    expect(resourceSpans?.resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'mcp-server' },
    });
  });

  it('writes one ExportMetricsServiceRequest per ResourceMetrics with the histogram intact', async () => {
    const batch = await makeMetrics();
    const requests = parseOtlpLines(
      encodeBatch('otlp_json', 'metrics', [...batch, ...batch]).toString('utf8'),
    );
    expect(requests).toHaveLength(2);
    const metrics = requests[0]?.resourceMetrics[0]?.scopeMetrics[0]?.metrics ?? [];
    const histogram = metrics.find((m) => m.name === 'mcp_request_duration_seconds')?.histogram;
    expect(histogram?.dataPoints[0]).toMatchObject({
      count: 5,
      explicitBounds: [0.1, 0.5, 1],
      bucketCounts: [1, 2, 1, 1],
    });
  });

  it('writes a log batch as one ExportLogsServiceRequest with trace ids in hex', () => {
    const requests = parseOtlpLines(encodeBatch('otlp_json', 'logs', makeLogs()).toString('utf8'));
    expect(requests).toHaveLength(1);
    expect(requests[0]?.resourceLogs[0]?.scopeLogs[0]?.logRecords[0]).toMatchObject({
      body: { stringValue: 'Tool execution started' },
      severityNumber: 9,
      traceId: '0af7651916cd43dd8448eb211c80319c',
    });
  });

  it('writes nothing for an empty batch', () => {
    expect(encodeBatch('otlp_json', 'traces', [])).toHaveLength(0);
    expect(encodeBatch('otlp_json', 'metrics', [])).toHaveLength(0);
  });

  it('turns a batch it cannot encode into a PermanentError, so it is not retried', () => {
    const [span] = makeSpans() as [ReadableSpan];
    const broken = plainSpan(span, { startTime: [Number.NaN, 0] });
    expect(() => encodeBatch('otlp_json', 'traces', [broken])).toThrow(PermanentError);
    expect(() => encodeBatch('otlp_json', 'traces', [broken])).toThrow(/cannot encode traces as otlp_json/);
  });
});
