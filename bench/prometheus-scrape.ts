// One scrape of 10,000 series (counters, gauges, 12-bucket histograms): the prometheus exporter's
// scrape (expire + render text format 0.0.4), against PrometheusSerializer from
// @opentelemetry/exporter-prometheus on the same ResourceMetrics, and prom-client's registry holding
// the same series (`registry.metrics()`), in one process.
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Bench } from 'tinybench';
import { recordMetrics, testContext } from '../core/testing/index.js';
import { PrometheusConfig } from '../plugins/exporters/prometheus/config.js';
import { PrometheusExporter } from '../plugins/exporters/prometheus/exporter.js';
import { type Result, ratioLine } from './report.js';

const TARGET_VS_OTEL = 10;
const TARGET_VS_PROM_CLIENT = 1;
/** Per metric: 10 methods x 10 endpoints. */
const LABEL_SETS = 100;
const COUNTERS = 40;
const GAUGES = 40;
const HISTOGRAMS = 20;
const SERIES = (COUNTERS + GAUGES + HISTOGRAMS) * LABEL_SETS;
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const labelSets = Array.from({ length: LABEL_SETS }, (_, i) => ({
  method: `method_${i % 10}`,
  endpoint: `/api/endpoint/${Math.floor(i / 10)}`,
}));
/** Three observations per histogram series, spread over the buckets. */
const observations = (i: number) => [0.003 * (i + 1), 0.07 * ((i % 5) + 1), 1.3 * ((i % 3) + 1)];

async function sdkMetrics(): Promise<ResourceMetrics> {
  const [metrics] = await recordMetrics(
    (provider) => {
      const meter = provider.getMeter('bench', '1.0.0');
      for (let m = 0; m < COUNTERS; m++) {
        const counter = meter.createCounter(`bench.requests.${m}`, { description: 'Requests handled' });
        for (const [i, labels] of labelSets.entries()) counter.add(i + m + 1, labels);
      }
      for (let m = 0; m < GAUGES; m++) {
        const gauge = meter.createGauge(`bench.queue.depth.${m}`, { description: 'Queue depth' });
        for (const [i, labels] of labelSets.entries()) gauge.record(i * 1.5 + m, labels);
      }
      for (let m = 0; m < HISTOGRAMS; m++) {
        const histogram = meter.createHistogram(`bench.latency.${m}`, {
          unit: 's',
          description: 'Request latency',
          advice: { explicitBucketBoundaries: BUCKETS },
        });
        for (const [i, labels] of labelSets.entries()) {
          for (const value of observations(i)) histogram.record(value, labels);
        }
      }
    },
    { resource: resourceFromAttributes({ 'service.name': 'bench' }) },
  );
  return metrics as ResourceMetrics;
}

function promClientRegistry(): Registry {
  const registry = new Registry();
  const labelNames = ['method', 'endpoint'];
  for (let m = 0; m < COUNTERS; m++) {
    const counter = new Counter({
      name: `bench_requests_${m}_total`,
      help: 'Requests handled',
      labelNames,
      registers: [registry],
    });
    for (const [i, labels] of labelSets.entries()) counter.inc(labels, i + m + 1);
  }
  for (let m = 0; m < GAUGES; m++) {
    const gauge = new Gauge({
      name: `bench_queue_depth_${m}`,
      help: 'Queue depth',
      labelNames,
      registers: [registry],
    });
    for (const [i, labels] of labelSets.entries()) gauge.set(labels, i * 1.5 + m);
  }
  for (let m = 0; m < HISTOGRAMS; m++) {
    const histogram = new Histogram({
      name: `bench_latency_${m}_seconds`,
      help: 'Request latency',
      labelNames,
      buckets: BUCKETS,
      registers: [registry],
    });
    for (const [i, labels] of labelSets.entries()) {
      for (const value of observations(i)) histogram.observe(labels, value);
    }
  }
  return registry;
}

/** The peers' text as the bytes an HTTP response carries (ours renders bytes already). */
const bytes = (text: string) => Buffer.from(text, 'utf8').length;

export async function run(): Promise<Result> {
  const metrics = await sdkMetrics();
  const exporter = new PrometheusExporter(
    testContext(PrometheusConfig.parse({}), 'prometheus', { kind: 'exporter' }),
  );
  await exporter.consume([metrics]);
  // exporter-prometheus pins its own copy of sdk-metrics; the data shape is the same.
  const otel = new PrometheusSerializer();
  const serializeOtel = (otel.serialize as (rm: unknown) => string).bind(otel);
  const registry = promClientRegistry();

  const sizes = {
    ours: exporter.scrape('text').length,
    otel: bytes(serializeOtel(metrics)),
    promClient: bytes(await registry.metrics()),
  };
  const lines = exporter.scrape('text').toString('utf8').split('\n').length - 1;

  const bench = new Bench({ time: 2000, warmupTime: 300 });
  let sink = 0;
  bench
    .add('tributary: prometheus exporter scrape (text 0.0.4)', () => {
      sink += exporter.scrape('text').length;
    })
    .add('OpenTelemetry JS: PrometheusSerializer.serialize', () => {
      sink += bytes(serializeOtel(metrics));
    })
    .add('prom-client: registry.metrics()', async () => {
      sink += bytes(await registry.metrics());
    })
    .add('tributary: prometheus exporter scrape (OpenMetrics 1.0)', () => {
      sink += exporter.scrape('openmetrics').length;
    })
    .add('tributary: fold the 10k points into the series (consume)', async () => {
      await exporter.consume([metrics]);
    });
  await bench.run();
  await exporter.shutdown();
  if (sink === 0) throw new Error('nothing was rendered');

  const result = ratioLine(
    `scrapes/s, ${SERIES.toLocaleString('en-US')} series (${lines.toLocaleString('en-US')} lines)`,
    bench,
    1,
  );
  const [ours, , promClient] = result.rows;
  const vsPromClient = (ours?.perSecond ?? 0) / (promClient?.perSecond ?? 1);
  const kib = (n: number) => `${Math.round(n / 1024).toLocaleString('en-US')} KiB`;
  return {
    ...result,
    ratioLabel: 'tributary / OpenTelemetry PrometheusSerializer',
    notes: [
      `ratio (tributary / prom-client): ${vsPromClient.toFixed(2)}x`,
      `target: >= ${TARGET_VS_OTEL}x PrometheusSerializer ${result.ratio >= TARGET_VS_OTEL ? 'met' : 'MISSED'}, >= ${TARGET_VS_PROM_CLIENT}x prom-client ${vsPromClient >= TARGET_VS_PROM_CLIENT ? 'met' : 'MISSED'}`,
      `exposition size: tributary ${kib(sizes.ours)}, PrometheusSerializer ${kib(sizes.otel)} (no unit suffixes), prom-client ${kib(sizes.promClient)}`,
      'the consume row counts folds of the whole 10k-point batch, the steady state of a pipeline pushing every interval',
    ],
  };
}
