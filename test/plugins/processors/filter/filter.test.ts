import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { TributaryErrors } from '../../../../core/errors.js';
import {
  type RunningPipeline,
  recordLogs,
  recordMetrics,
  recordSpans,
} from '../../../../core/testing/index.js';
import filter from '../../../../plugins/processors/filter/index.js';
import { selfMetrics } from '../../../core/self-metrics.js';
import { startProcessor } from '../start.js';

let pipeline: RunningPipeline | undefined;
afterEach(() => pipeline?.shutdown());

const start = (config: string) => startProcessor(filter, config);

const spans = () =>
  recordSpans((p) => {
    const t = p.getTracer('t');
    t.startSpan('tools/call', { attributes: { 'gen_ai.tool.name': 'search' } }).end();
    t.startSpan('tools/call', { attributes: { 'gen_ai.tool.name': 'health' } }).end();
    t.startSpan('ping').end();
    t.startSpan('GET /healthz').end();
  });

describe('filter processor', () => {
  it('drops spans by name (regexp) and keeps only those with an attribute', async () => {
    pipeline = await start(`
    spans:
      exclude: { match_type: regexp, span_names: ["^GET /health", "^ping$"] }`);
    await pipeline.push('traces', spans());
    expect(pipeline.recorded.items('traces').map((s) => s.name)).toEqual(['tools/call', 'tools/call']);
    await pipeline.shutdown();

    pipeline = await start(`
    spans:
      include: { span_names: [tools/call] }
      exclude: { attributes: [{ key: gen_ai.tool.name, value: health }] }`);
    await pipeline.push('traces', spans());
    expect(pipeline.recorded.items('traces').map((s) => s.attributes['gen_ai.tool.name'])).toEqual([
      'search',
    ]);
  });

  it('keeps logs at WARN and above, drops those with an attribute, and counts what it dropped', async () => {
    pipeline = await start(`
    logs:
      include: { severity_number: { min: WARN } }
      exclude: { record_attributes: [{ key: noisy, value: true }] }`);
    await pipeline.push(
      'logs',
      recordLogs((p) => {
        const l = p.getLogger('l');
        l.emit({ body: 'debug', severityNumber: 5 });
        l.emit({ body: 'warn', severityNumber: 13 });
        l.emit({ body: 'error', severityNumber: 17 });
        l.emit({ body: 'noisy error', severityNumber: 17, attributes: { noisy: true } });
        l.emit({ body: 'no severity' });
      }),
    );
    expect(pipeline.recorded.items('logs').map((r) => r.body)).toEqual(['warn', 'error']);
    const own = await selfMetrics(pipeline.engine);
    expect(own('tributary_processor_filter_dropped_items', 'filter')).toBe(3);
  });

  it('drops metrics by name and data points by attribute; a batch left empty is not handed on', async () => {
    pipeline = await start(`
    metrics:
      exclude: { match_type: regexp, metric_names: ["^debug\\\\."] }
      include: { metric_names: [requests, debug.calls] , attributes: [{ key: route, value: /a }] }`);
    const metrics = await recordMetrics((p) => {
      const m = p.getMeter('m');
      const requests = m.createCounter('requests');
      requests.add(1, { route: '/a' });
      requests.add(2, { route: '/b' });
      m.createCounter('debug.calls').add(5, { route: '/a' });
      m.createCounter('other').add(1, { route: '/a' });
    });
    await pipeline.push('metrics', metrics);
    const kept = (pipeline.recorded.items('metrics') as ResourceMetrics[]).flatMap((r) =>
      r.scopeMetrics.flatMap((s) =>
        s.metrics.map((m) => [m.descriptor.name, m.dataPoints.map((d) => d.value)]),
      ),
    );
    expect(kept).toEqual([['requests', [1]]]);
    expect(metrics[0]?.scopeMetrics[0]?.metrics).toHaveLength(3); // what it was given is unchanged

    await pipeline.push('metrics', await recordMetrics((p) => p.getMeter('m').createCounter('other').add(1)));
    expect(pipeline.recorded.of('metrics')).toHaveLength(1);
  });

  it('rejects conditions with nothing to match and a bad regular expression, located', async () => {
    const err = await start(`
    spans: { include: { match_type: strict } }
    logs: { exclude: { match_type: regexp, bodies: ["(("] } }`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TributaryErrors);
    const text = (err as Error).message;
    expect(text).toContain('processors.filter.spans.include');
    expect(text).toContain('give at least one of span_names, attributes');
    expect(text).toContain('processors.filter.logs.exclude.bodies[0]');
  });
});
