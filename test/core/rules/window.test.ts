import { millisToHrTime } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { exporterSamples } from '../../../core/prometheus/samples.js';
import { isStaleNaN } from '../../../core/promql/index.js';
import { SeriesWindow } from '../../../core/rules/window.js';
import { recordMetrics } from '../../../core/testing/index.js';
import { render } from '../../../plugins/exporters/prometheus/serialize.js';
import { MetricStore } from '../../../plugins/exporters/prometheus/store.js';

const all = [{ name: '__name__', op: '=~' as const, value: '.+' }];

/** `name{labels} value` lines of a text exposition, as label maps with __name__. */
function scraped(text: string): Record<string, string>[] {
  const series: Record<string, string>[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = { __name__: m[1] as string, value: m[3] as string };
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[k as string] = (v as string).replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    series.push(labels);
  }
  return series;
}

const sorted = (rows: Record<string, string>[]) =>
  rows.map((r) => JSON.stringify(Object.entries(r).sort())).sort();

const window = (overrides: Partial<ConstructorParameters<typeof SeriesWindow>[0]> = {}) =>
  new SeriesWindow({ retentionMs: 10 * 60_000, maxSeries: 1000, maxSamplesPerSeries: 100, ...overrides });

describe('the rules window', () => {
  it('holds every series under the name and labels the prometheus exporter serves it with', async () => {
    const batch = await recordMetrics(
      (provider) => {
        const meter = provider.getMeter('mcp-test', '1.2.0');
        meter
          .createCounter('mcp.tool.calls', { unit: '{call}' })
          .add(3, { 'gen_ai.tool.name': 'search', status: 'ok' });
        const duration = meter.createHistogram('http.server.request.duration', {
          unit: 's',
          advice: { explicitBucketBoundaries: [0.1, 1] },
        });
        duration.record(0.05, { route: '/a' });
        duration.record(2, { route: '/a' });
        meter.createUpDownCounter('queue.size').add(-2);
        meter.createGauge('system.memory.utilization', { unit: '1' }).record(0.25, { 'a.b': 'x', a_b: 'y' });
      },
      {
        resource: resourceFromAttributes({
          'service.name': 'api',
          'service.namespace': 'shop',
          'service.instance.id': 'i-1',
        }),
      },
    );
    const store = new MetricStore({
      constLabels: {},
      resourceToTelemetry: false,
      expirationMs: 0,
      addSuffixes: true,
      targetInfo: false,
    });
    store.fold(batch, Date.now());
    const exposed = scraped(render(store, 'text').toString());

    const w = window();
    exporterSamples(batch, (labels, t, v, delta) => w.append(labels, t, v, delta));
    const held = [...w.select(all, 0, Number.MAX_SAFE_INTEGER)].map((s) => ({
      ...s.labels,
      value: String(s.points[s.points.length - 1]?.v),
    }));
    expect(exposed.length).toBe(8);
    expect(sorted(held)).toEqual(sorted(exposed));
    expect(held).toContainEqual(
      expect.objectContaining({
        __name__: 'mcp_tool_calls_total',
        job: 'shop/api',
        instance: 'i-1',
        gen_ai_tool_name: 'search',
      }),
    );
  });

  it('adds up delta sums and keeps cumulative ones as they are', () => {
    const w = window();
    const sum = (temporality: AggregationTemporality, value: number, ms: number): ResourceMetrics[] => [
      {
        resource: resourceFromAttributes({}),
        scopeMetrics: [
          {
            scope: { name: 's' },
            metrics: [
              {
                descriptor: {
                  name: temporality === AggregationTemporality.DELTA ? 'd' : 'c',
                  unit: '',
                  description: '',
                  valueType: 1,
                },
                aggregationTemporality: temporality,
                dataPointType: DataPointType.SUM,
                isMonotonic: true,
                dataPoints: [
                  {
                    startTime: millisToHrTime(ms - 1000),
                    endTime: millisToHrTime(ms),
                    attributes: {},
                    value,
                  },
                ],
              },
            ],
          },
        ],
      },
    ];
    for (const [i, v] of [2, 3, 5].entries()) {
      exporterSamples(sum(AggregationTemporality.DELTA, v, (i + 1) * 1000), (l, t, x, d) =>
        w.append(l, t, x, d),
      );
      exporterSamples(sum(AggregationTemporality.CUMULATIVE, v, (i + 1) * 1000), (l, t, x, d) =>
        w.append(l, t, x, d),
      );
    }
    const points = (name: string) =>
      [...w.select([{ name: '__name__', op: '=', value: name }], 0, 10_000)][0]?.points.map((p) => p.v);
    expect(points('d_total')).toEqual([2, 5, 10]);
    expect(points('c_total')).toEqual([2, 3, 5]);
  });

  it('marks a series stale once it misses three of its updates, and drops what is older than the retention', () => {
    const w = window({ retentionMs: 60_000 });
    for (let t = 0; t <= 20_000; t += 10_000) w.append({ __name__: 'x' }, t, 1);
    expect(w.sweep(50_000)).toBe(0);
    expect(w.sweep(50_001)).toBe(1);
    const [series] = w.select([{ name: '__name__', op: '=', value: 'x' }], 0, 100_000);
    const last = series?.points[series.points.length - 1];
    expect(last?.t).toBe(50_001);
    expect(isStaleNaN(last?.v as number)).toBe(true);
    w.sweep(100_000);
    expect(series && [...w.select(all, 0, 100_000)][0]?.points.map((p) => p.t)).toEqual([50_001]);
    w.sweep(120_000);
    expect(w.stats().series).toBe(0);
  });

  it('never marks a series stale sooner than minStaleAfterMs after its last sample', () => {
    const w = window({ minStaleAfterMs: 15_000 });
    for (let t = 0; t <= 2000; t += 1000) w.append({ __name__: 'x' }, t, 1);
    expect(w.sweep(17_000)).toBe(0);
    expect(w.sweep(17_001)).toBe(1);
  });

  it('refuses new series beyond max_series and counts them; keeps at most max_samples_per_series', () => {
    const w = window({ maxSeries: 2, maxSamplesPerSeries: 3 });
    w.append({ __name__: 'a' }, 1, 1);
    w.append({ __name__: 'b' }, 1, 1);
    w.append({ __name__: 'c' }, 1, 1);
    w.append({ __name__: 'c' }, 2, 1);
    for (let t = 2; t <= 6; t++) w.append({ __name__: 'a' }, t, t);
    w.append({ __name__: 'a' }, 4, 0);
    expect(w.stats()).toEqual({
      series: 2,
      samples: 4,
      refusedSamples: 2,
      outOfOrderSamples: 1,
      droppedSamples: 3,
    });
    expect(
      [...w.select([{ name: '__name__', op: '=', value: 'a' }], 0, 10)][0]?.points.map((p) => p.v),
    ).toEqual([4, 5, 6]);
  });

  it('gives a selector the same answer while the series it reads are unchanged, a new one when they change', () => {
    const w = window({ retentionMs: 60_000 });
    const x = { __name__: 'x', job: 'a' };
    w.append(x, 1000, 1);
    w.append({ __name__: 'y' }, 1000, 1);
    const selectX = () => w.select([{ name: '__name__', op: '=', value: 'x' }], 0, 10_000);
    const first = selectX();
    expect(selectX()).toBe(first);
    // Another rule's output (another name) leaves x's answer as it was.
    w.append({ __name__: 'ALERTS', alertname: 'A' }, 2000, 1);
    expect(selectX()).toBe(first);
    // A selector without a name reads every series: any change gives it a new answer.
    const allFirst = w.select(all, 0, 10_000);
    w.append({ __name__: 'y' }, 2000, 2);
    expect(w.select(all, 0, 10_000)).not.toBe(allFirst);
    expect(selectX()).toBe(first);
    w.append(x, 2000, 5);
    expect(selectX().map((s) => s.points.map((p) => p.v))).toEqual([[1, 5]]);
    expect(first.map((s) => s.points.map((p) => p.v))).toEqual([[1]]);
    // Another time span is another answer; the same sample written again too; so is a sweep's eviction.
    expect(w.select([{ name: '__name__', op: '=', value: 'x' }], 1500, 10_000)[0]?.points).toHaveLength(1);
    w.append(x, 2000, 6);
    expect(selectX()[0]?.points.map((p) => p.v)).toEqual([1, 6]);
    // The sweep evicts x's first sample (its staleness marker at 61.5s is past the span asked for).
    w.sweep(61_500);
    expect(selectX()[0]?.points.map((p) => p.t)).toEqual([2000]);
  });

  it('gives selectors written differently one Series for a series they read over one span', () => {
    const w = window();
    const x = { __name__: 'x', job: 'a' };
    w.append(x, 1000, 1);
    const byName = () => w.select([{ name: '__name__', op: '=', value: 'x' }], 0, 10_000)[0];
    const byJob = () => w.select([{ name: 'job', op: '=', value: 'a' }], 0, 10_000)[0];
    expect(byJob()).toBe(byName());
    expect(w.select([{ name: 'job', op: '=', value: 'a' }], 500, 10_000)[0]).toBe(byName());
    w.append(x, 2000, 2);
    expect(byJob()?.points.map((p) => p.v)).toEqual([1, 2]);
    expect(byName()).toBe(byJob());
  });
});
