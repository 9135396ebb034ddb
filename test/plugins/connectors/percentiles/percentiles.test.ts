import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { exactQuantile, latencyStreams, random } from '../../../../bench/latency-streams.js';
import { MetricSources } from '../../../../core/sdk/metric-sources.js';
import { freePort, recordSpans, startPipeline, testContext } from '../../../../core/testing/index.js';
import { PercentilesConfig } from '../../../../plugins/connectors/percentiles/config.js';
import { PercentilesConnector } from '../../../../plugins/connectors/percentiles/connector.js';
import percentiles from '../../../../plugins/connectors/percentiles/index.js';
import { LatencyStats, type LatencySummary } from '../../../../plugins/connectors/percentiles/stats.js';
import prometheus from '../../../../plugins/exporters/prometheus/index.js';
import admin from '../../../../plugins/extensions/admin/index.js';

const streams = latencyStreams;

/** A span of `seconds` with these attributes: only what the connector reads. */
const span = (seconds: number, attributes = {}, name = 'tools/call'): ReadableSpan =>
  ({
    name,
    attributes,
    duration: [Math.floor(seconds), Math.round((seconds % 1) * 1e9)],
  }) as unknown as ReadableSpan;

const exact = (samples: number[], q: number) =>
  exactQuantile(
    [...samples].sort((a, b) => a - b),
    q,
  );

const QUANTILES = [0.5, 0.9, 0.95, 0.99];
const stats = (config: object, now?: () => number) =>
  new LatencyStats(PercentilesConfig.parse({ quantiles: QUANTILES, ...config }), now);

function expectWithinOnePercent(window: Record<string, number>, samples: number[]) {
  for (const q of QUANTILES) {
    const truth = exact(samples, q);
    const got = window[`p${q * 100}`] as number;
    expect(Math.abs(got - truth) / truth, `p${q * 100}: ${got} vs exact ${truth}`).toBeLessThanOrEqual(0.01);
  }
}

describe('percentiles connector', () => {
  for (const [shape, next] of Object.entries(streams))
    it(`keeps every quantile of the last N ${shape} samples within 1% of the exact value`, () => {
      const rnd = random(7);
      const all = Array.from({ length: 5500 }, () => next(rnd));
      const latency = stats({ window_size: 1000 });
      for (const s of all) latency.record(span(s));

      const [key] = latency.summary().keys;
      // The window holds the last N to N + N/k samples: compare with exactly those.
      const held = all.slice(-(key?.stats.count as number));
      expect(held.length).toBeGreaterThanOrEqual(1000);
      expect(held.length).toBeLessThanOrEqual(1000 + Math.ceil(1000 / 6));
      expectWithinOnePercent(key?.stats as never, held);
      expect(key?.stats.min).toBeCloseTo(Math.min(...held), 9);
      expect(key?.stats.max).toBeCloseTo(Math.max(...held), 9);
      expect(key?.stats.average).toBeCloseTo(held.reduce((a, b) => a + b) / held.length, 9);
    });

  it('slides a time window past old samples', () => {
    let now = 1_000_000;
    const latency = stats({ window: '1m' }, () => now);
    const rnd = random(3);
    // A minute of slow calls, then the window moves on to fast ones only.
    for (let i = 0; i < 600; i++, now += 100) latency.record(span(2 + rnd()));
    now += 60_000;
    const fresh: number[] = [];
    for (let i = 0; i < 400; i++, now += 100) {
      fresh.push(streams.lognormal?.(rnd) as number);
      latency.record(span(fresh[i] as number));
    }

    const [key] = latency.summary().keys;
    expect(key?.stats.count).toBe(400);
    expect(key?.stats.max).toBeCloseTo(Math.max(...fresh), 9);
    expectWithinOnePercent(key?.stats as never, fresh);

    now += 61_000;
    expect(latency.summary().keys).toEqual([]);
  });

  it('keys spans by method and tool, else by name, and counts spans past max_keys', () => {
    const latency = stats({ window_size: 100, max_keys: 2 });
    latency.record(span(0.1, { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'search' }));
    latency.record(span(0.2, {}, 'GET /health'));
    latency.record(span(0.3, { 'mcp.method.name': 'tools/list' }));
    latency.record(span(0.4, { 'mcp.method.name': 'tools/list' }));

    const summary = latency.summary();
    expect(summary.keys.map((k) => k.attributes)).toEqual([
      { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'search' },
      { 'span.name': 'GET /health' },
    ]);
    expect(summary.overflow_spans).toBe(2);
  });

  it('refuses a time window and a sample window together, and an empty time window', () => {
    const result = PercentilesConfig.safeParse({ window: '1m', window_size: 1000 });
    expect(result.error?.issues[0]?.message).toMatch(/either window .* or window_size/);
    expect(PercentilesConfig.parse({}).window).toBe(60_000);
    expect(PercentilesConfig.safeParse({ window: 0 }).error?.issues[0]?.message).toMatch(/greater than 0/);
  });

  it('emits latency gauges with the key as attributes through a real pipeline, and serves its stats', async () => {
    const port = await freePort();
    const pipeline = await startPipeline(
      `
extensions: { admin: { endpoint: 127.0.0.1:${port} } }
receivers: { push: {} }
connectors: { percentiles: { window_size: 100, emit_interval: 1h } }
exporters: { sink: {} }
service:
  extensions: [admin]
  pipelines:
    traces: { receivers: [push], exporters: [percentiles] }
    metrics: { receivers: [percentiles], exporters: [sink] }
`,
      { plugins: [percentiles, admin] },
    );
    try {
      const spans = recordSpans((provider) => {
        const tracer = provider.getTracer('test');
        for (const ms of [10, 20, 30, 40])
          tracer
            .startSpan('tools/call search', {
              startTime: 0,
              attributes: { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'search' },
            })
            .end(ms);
      });
      await pipeline.push('traces', spans);

      // The guide's get_stats shape, per key, on the admin site and through the embedding API.
      const page = (await (
        await fetch(`http://127.0.0.1:${port}/pages/percentiles`)
      ).json()) as LatencySummary;
      expect(page).toEqual(pipeline.engine.sharedOf<LatencyStats>('percentiles')?.summary());
      expect(page.overflow_spans).toBe(0);
      expect(page.keys[0]?.attributes).toEqual({
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'search',
      });
      expect(Object.keys(page.keys[0]?.stats ?? {}).sort()).toEqual([
        'average',
        'count',
        'max',
        'min',
        'p50',
        'p95',
        'p99',
      ]);
      expect(page.keys[0]?.stats).toMatchObject({ count: 4, min: 0.01, max: 0.04 });
      await pipeline.shutdown();

      const points = new Map<string, { value: number; attributes: object; unit: string }>();
      for (const rm of pipeline.recorded.items('metrics'))
        for (const sm of rm.scopeMetrics)
          for (const m of sm.metrics)
            for (const p of m.dataPoints)
              points.set(m.descriptor.name, {
                value: p.value as number,
                attributes: p.attributes,
                unit: m.descriptor.unit,
              });
      expect([...points.keys()].sort()).toEqual([
        'latency.avg',
        'latency.count',
        'latency.max',
        'latency.min',
        'latency.p50',
        'latency.p95',
        'latency.p99',
      ]);
      expect(points.get('latency.max')).toEqual({
        value: 0.04,
        unit: 's',
        attributes: { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'search' },
      });
      expect(points.get('latency.count')?.value).toBe(4);
      expect(points.get('latency.avg')?.value).toBeCloseTo(0.025, 9);
      expect(Math.abs((points.get('latency.p50')?.value as number) - 0.02) / 0.02).toBeLessThanOrEqual(0.01);
    } finally {
      await pipeline.shutdown();
    }
  });

  it('gives a Prometheus scrape fresh values, long before emit_interval', async () => {
    const port = await freePort();
    const pipeline = await startPipeline(
      `
receivers: { push: {} }
connectors: { percentiles: { emit_interval: 1h } }
exporters: { prometheus: { endpoint: 127.0.0.1:${port} } }
service:
  pipelines:
    traces: { receivers: [push], exporters: [percentiles] }
    metrics: { receivers: [percentiles], exporters: [prometheus] }
`,
      { plugins: [percentiles, prometheus] },
    );
    try {
      await pipeline.push('traces', [span(0.25, { 'mcp.method.name': 'tools/list' })]);
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toMatch(/^latency_max_seconds\{mcp_method_name="tools\/list".*\} 0\.25$/m);
      expect(text).toMatch(/^latency_count(_span)?\{mcp_method_name="tools\/list".*\} 1$/m);
    } finally {
      await pipeline.shutdown();
    }
  });

  it('stops emitting a key once its window has slid past its last span', async () => {
    let now = 1_000_000;
    const config = PercentilesConfig.parse({ window: '1m' });
    const ctx = testContext(config, 'percentiles', { kind: 'connector' });
    const sources = new MetricSources();
    ctx.container.register(MetricSources, { useValue: sources });
    const emitted: ResourceMetrics[][] = [];
    const connector = new PercentilesConnector(ctx, new LatencyStats(config, () => now), {
      consume: async (batch) => void emitted.push(batch),
    });
    await connector.start();
    try {
      await connector.consume([span(0.1, { 'mcp.method.name': 'tools/call' })]);
      const names = () =>
        emitted
          .splice(0)
          .flatMap((b) => b.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)))
          .filter((m) => m.dataPoints.length > 0)
          .map((m) => m.descriptor.name);
      await sources.collect();
      expect(names()).toContain('latency.p99');

      now += 61_000;
      await sources.collect();
      expect(names()).toEqual([]);
    } finally {
      await connector.shutdown();
    }
  });
});
