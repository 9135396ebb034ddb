// The prometheus exporter in a real pipeline: real SDK metrics pushed in, scraped over HTTP, asserted on
// the lines a user sees.
import type { MeterProvider as MeterProviderApi } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  MeterProvider,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { OnDemandMetricReader } from '../../../../core/sdk/readers.js';
import { createLogger } from '../../../../core/telemetry/logger.js';
import {
  checkConformance,
  type RunningPipeline,
  recordMetrics,
  startPipeline,
  testContext,
  testHost,
} from '../../../../core/testing/index.js';
import { PrometheusExporter } from '../../../../plugins/exporters/prometheus/exporter.js';
import prometheus from '../../../../plugins/exporters/prometheus/index.js';
import { builtins } from '../../../../plugins/index.js';
import { expositionProblems, freePort, lines, scrape } from './helpers.js';

const MCP_SERVER = resourceFromAttributes({ 'service.name': 'mcp-server', 'host.name': 'box' });
/** Only a service name: series get `job="app"` and there is no target_info. */
const APP = { resource: resourceFromAttributes({ 'service.name': 'app' }) };
const SCOPE = 'otel_scope_name="mcp",otel_scope_version="1.2.3"';

let pipeline: RunningPipeline | undefined;
afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = undefined;
});

/** A pipeline push -> prometheus exporter on a free port, with `options` added to the exporter's config. */
async function exporting(options = '') {
  const port = await freePort();
  pipeline = await startPipeline(
    `receivers: { push: }
exporters: { prometheus: { endpoint: "127.0.0.1:${port}"${options ? `, ${options}` : ''} } }
service: { pipelines: { metrics: { receivers: [push], exporters: [prometheus] } } }
`,
    { plugins: builtins },
  );
  const running = pipeline;
  return {
    port,
    push: (metrics: ResourceMetrics[]) => running.push('metrics', metrics),
    /** The scraped text format 0.0.4, line by line. */
    scraped: async () => lines((await scrape(port)).text),
  };
}

/** The monitoring guide's MCP metrics, recorded with the SDK. */
const guideMetrics = (write?: (provider: MeterProviderApi) => void) =>
  recordMetrics(
    (provider) => {
      const meter = provider.getMeter('mcp', '1.2.3');
      const requests = meter.createCounter('mcp_requests_total', { description: 'Total requests' });
      requests.add(3, { method: 'tools/call', endpoint: 'add' });
      requests.add(1, { method: 'initialize', endpoint: '' });
      meter
        .createHistogram('mcp_request_duration_seconds', {
          unit: 's',
          description: 'Request duration',
          advice: { explicitBucketBoundaries: [0.05, 0.1, 0.5, 1] },
        })
        .record(0.07, { method: 'tools/call' });
      meter.createUpDownCounter('mcp_active_connections', { description: 'Active connections' }).add(2);
      write?.(provider);
    },
    { resource: MCP_SERVER },
  );

/** The SDK's clock moves in millisecond steps: a pause makes two collections' times differ. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Metrics from a provider whose reader asks for delta temporality, collected on demand. */
function deltaProvider() {
  const reader = new OnDemandMetricReader({
    aggregationTemporalitySelector: () => AggregationTemporality.DELTA,
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'worker' }),
    readers: [reader],
  });
  return {
    meter: provider.getMeter('jobs'),
    collect: async (): Promise<ResourceMetrics[]> => [(await reader.collect()).resourceMetrics],
    shutdown: () => provider.shutdown(),
  };
}

describe('prometheus exporter config', () => {
  it('listens on 127.0.0.1:9464/metrics by default, with the documented defaults', () => {
    expect(prometheus.config.parse({})).toEqual({
      endpoint: { host: '127.0.0.1', port: 9464 },
      path: '/metrics',
      const_labels: {},
      resource_to_telemetry_conversion: false,
      metric_expiration: 300_000,
      enable_open_metrics: true,
      add_metric_suffixes: true,
      target_info: true,
    });
  });

  it('rejects unknown keys, bad endpoints, paths and namespaces', () => {
    for (const bad of [
      { port: 9464 },
      { endpoint: 'localhost' },
      { path: 'metrics' },
      { namespace: 'my-app' },
      { metric_expiration: '5 minutes' },
      { const_labels: { region: 1 } },
    ]) {
      expect(prometheus.config.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('meets the component contract', async () => {
    expect(await checkConformance(prometheus, { config: { endpoint: '127.0.0.1:0' } })).toEqual(['metrics']);
  });
});

describe('prometheus exporter', () => {
  it('exposes counters, gauges and histograms with HELP and TYPE, scope and job labels', async () => {
    const { push, scraped } = await exporting();
    await push(await guideMetrics());
    expect(await scraped()).toEqual([
      '# HELP target_info Target metadata',
      '# TYPE target_info gauge',
      'target_info{job="mcp-server",host_name="box"} 1',
      '# HELP mcp_requests_total Total requests',
      '# TYPE mcp_requests_total counter',
      `mcp_requests_total{endpoint="add",method="tools/call",${SCOPE},job="mcp-server"} 3`,
      `mcp_requests_total{endpoint="",method="initialize",${SCOPE},job="mcp-server"} 1`,
      '# HELP mcp_request_duration_seconds Request duration',
      '# TYPE mcp_request_duration_seconds histogram',
      `mcp_request_duration_seconds_bucket{method="tools/call",${SCOPE},job="mcp-server",le="0.05"} 0`,
      `mcp_request_duration_seconds_bucket{method="tools/call",${SCOPE},job="mcp-server",le="0.1"} 1`,
      `mcp_request_duration_seconds_bucket{method="tools/call",${SCOPE},job="mcp-server",le="0.5"} 1`,
      `mcp_request_duration_seconds_bucket{method="tools/call",${SCOPE},job="mcp-server",le="1"} 1`,
      `mcp_request_duration_seconds_bucket{method="tools/call",${SCOPE},job="mcp-server",le="+Inf"} 1`,
      `mcp_request_duration_seconds_sum{method="tools/call",${SCOPE},job="mcp-server"} 0.07`,
      `mcp_request_duration_seconds_count{method="tools/call",${SCOPE},job="mcp-server"} 1`,
      '# HELP mcp_active_connections Active connections',
      '# TYPE mcp_active_connections gauge',
      `mcp_active_connections{${SCOPE},job="mcp-server"} 2`,
    ]);
  });

  it('names series by the OpenTelemetry-to-Prometheus rules: units, _total, ratios, sanitized labels', async () => {
    const { push, scraped } = await exporting();
    await push(
      await recordMetrics((provider) => {
        const meter = provider.getMeter('app');
        meter.createCounter('http.server.requests').add(1, { 'http.route': '/a"b\\c\nd', '2xx': true });
        meter.createCounter('network.io', { unit: 'By' }).add(512);
        meter.createHistogram('http.client.duration', { unit: 'ms' }).record(12);
        meter.createGauge('system.memory.utilization', { unit: '1' }).record(0.25);
        meter.createUpDownCounter('queue.items', { unit: '{item}' }).add(-4);
      }, APP),
    );
    const text = await scraped();
    expect(text).toContain(
      'http_server_requests_total{http_route="/a\\"b\\\\c\\nd",key_2xx="true",otel_scope_name="app",job="app"} 1',
    );
    expect(text).toContain('# HELP http_server_requests_total http.server.requests');
    expect(text).toContain('network_io_bytes_total{otel_scope_name="app",job="app"} 512');
    expect(text).toContain('# TYPE http_client_duration_milliseconds histogram');
    expect(text).toContain('http_client_duration_milliseconds_sum{otel_scope_name="app",job="app"} 12');
    expect(text).toContain('system_memory_utilization_ratio{otel_scope_name="app",job="app"} 0.25');
    expect(text).toContain('# TYPE queue_items gauge');
    expect(text).toContain('queue_items{otel_scope_name="app",job="app"} -4');
  });

  it('writes cumulative bucket counts ending in +Inf, equal to _count', async () => {
    const { push, scraped } = await exporting();
    await push(
      await recordMetrics((provider) => {
        const latency = provider
          .getMeter('api')
          .createHistogram('latency', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 0.5, 1] } });
        for (const v of [0.05, 0.2, 0.3, 0.7, 3, 5]) latency.record(v);
      }, APP),
    );
    expect((await scraped()).filter((l) => l.startsWith('latency_seconds'))).toEqual([
      'latency_seconds_bucket{otel_scope_name="api",job="app",le="0.1"} 1',
      'latency_seconds_bucket{otel_scope_name="api",job="app",le="0.5"} 3',
      'latency_seconds_bucket{otel_scope_name="api",job="app",le="1"} 4',
      'latency_seconds_bucket{otel_scope_name="api",job="app",le="+Inf"} 6',
      'latency_seconds_sum{otel_scope_name="api",job="app"} 9.25',
      'latency_seconds_count{otel_scope_name="api",job="app"} 6',
    ]);
  });

  it('keeps the latest cumulative value: a later collection replaces the earlier one', async () => {
    const { push, scraped } = await exporting();
    const reader = new OnDemandMetricReader();
    const provider = new MeterProvider({ ...APP, readers: [reader] });
    const counter = provider.getMeter('app').createCounter('calls');
    counter.add(2);
    const first = (await reader.collect()).resourceMetrics;
    await tick();
    counter.add(5);
    await push([(await reader.collect()).resourceMetrics]);
    await push([first]); // arrives late: older than what is held, so ignored
    expect(await scraped()).toContain('calls_total{otel_scope_name="app",job="app"} 7');
    await provider.shutdown();
  });

  it('adds delta sums and delta histograms up into cumulative series', async () => {
    const { push, scraped } = await exporting();
    const delta = deltaProvider();
    const done = delta.meter.createCounter('jobs.done');
    const took = delta.meter.createHistogram('jobs.duration', {
      unit: 's',
      advice: { explicitBucketBoundaries: [1, 10] },
    });
    const backlog = delta.meter.createUpDownCounter('jobs.backlog');
    done.add(2, { queue: 'mail' });
    took.record(0.5);
    backlog.add(10);
    await tick();
    const first = await delta.collect();
    await push(first);
    await tick();
    done.add(3, { queue: 'mail' });
    took.record(4);
    took.record(20);
    backlog.add(-3);
    await push(await delta.collect());
    await push(first); // sent twice (a retry): already added, so not added again

    const text = await scraped();
    expect(text).toContain('jobs_done_total{queue="mail",otel_scope_name="jobs",job="worker"} 5');
    expect(text).toContain('jobs_backlog{otel_scope_name="jobs",job="worker"} 7');
    expect(text.filter((l) => l.startsWith('jobs_duration_seconds'))).toEqual([
      'jobs_duration_seconds_bucket{otel_scope_name="jobs",job="worker",le="1"} 1',
      'jobs_duration_seconds_bucket{otel_scope_name="jobs",job="worker",le="10"} 2',
      'jobs_duration_seconds_bucket{otel_scope_name="jobs",job="worker",le="+Inf"} 3',
      'jobs_duration_seconds_sum{otel_scope_name="jobs",job="worker"} 24.5',
      'jobs_duration_seconds_count{otel_scope_name="jobs",job="worker"} 3',
    ]);
    await delta.shutdown();
  });

  it('drops series not updated within metric_expiration', async () => {
    const { push, scraped } = await exporting('metric_expiration: 50ms');
    await push(await guideMetrics());
    expect(await scraped()).toContain(`mcp_active_connections{${SCOPE},job="mcp-server"} 2`);
    await expect.poll(scraped, { timeout: 5000, interval: 25 }).toEqual([]);
    await push(await guideMetrics());
    expect(await scraped()).toContain(`mcp_active_connections{${SCOPE},job="mcp-server"} 2`);
  });

  it('labels series with job and instance from service.namespace/name and service.instance.id', async () => {
    const { push, scraped } = await exporting();
    await push(
      await recordMetrics((p) => p.getMeter('m').createGauge('temperature', { unit: 'Cel' }).record(21), {
        resource: resourceFromAttributes({
          'service.name': 'api',
          'service.namespace': 'shop',
          'service.instance.id': 'pod-7',
          'k8s.pod.name': 'api-7',
        }),
      }),
    );
    expect(await scraped()).toEqual([
      '# HELP target_info Target metadata',
      '# TYPE target_info gauge',
      'target_info{job="shop/api",instance="pod-7",k8s_pod_name="api-7"} 1',
      '# HELP temperature_celsius temperature',
      '# TYPE temperature_celsius gauge',
      'temperature_celsius{otel_scope_name="m",job="shop/api",instance="pod-7"} 21',
    ]);
  });

  it('with resource_to_telemetry_conversion, const_labels and namespace, labels and names every series', async () => {
    const { push, scraped } = await exporting(
      'namespace: acme, const_labels: { region: eu-west-1 }, resource_to_telemetry_conversion: true',
    );
    await push(await guideMetrics());
    const text = await scraped();
    expect(text).toContain(
      `acme_mcp_requests_total{endpoint="add",method="tools/call",${SCOPE},job="mcp-server",host_name="box",service_name="mcp-server",region="eu-west-1"} 3`,
    );
    expect(text).toContain('target_info{job="mcp-server",host_name="box",region="eu-west-1"} 1');
  });

  it('lets a point label win over job, scope and const labels of the same name', async () => {
    const { push, scraped } = await exporting('const_labels: { region: eu }');
    await push(
      await recordMetrics((p) => p.getMeter('m').createGauge('g').record(1, { job: 'mine', region: 'us' }), {
        resource: MCP_SERVER,
      }),
    );
    expect(await scraped()).toContain('g{job="mine",region="us",otel_scope_name="m"} 1');
  });

  it('without suffixes and target_info, keeps instrument names and leaves target_info out', async () => {
    const { push, scraped } = await exporting('add_metric_suffixes: false, target_info: false');
    await push(
      await guideMetrics((p) => {
        p.getMeter('mcp').createCounter('http.requests').add(1);
        p.getMeter('mcp').createHistogram('op.duration', { unit: 's' }).record(1);
      }),
    );
    const text = await scraped();
    expect(text.some((l) => l.startsWith('target_info'))).toBe(false);
    expect(text).toContain('# TYPE http_requests counter');
    expect(text).toContain('http_requests{otel_scope_name="mcp",job="mcp-server"} 1');
    expect(text).toContain('# TYPE op_duration histogram');
    expect(text).toContain('# TYPE mcp_requests_total counter');
  });

  it('exposes the first of two metrics that claim one name with different types, and logs the other', async () => {
    const warnings: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => void warnings.push(line) });
    const exporter = new PrometheusExporter(
      testContext(prometheus.config.parse({ endpoint: '127.0.0.1:0' }), 'prometheus', {
        kind: 'exporter',
        logger,
      }),
    );
    await exporter.start(testHost());
    try {
      await exporter.consume(
        await recordMetrics((p) => {
          p.getMeter('a').createCounter('jobs').add(1);
          p.getMeter('b').createGauge('jobs').record(5);
          p.getMeter('c').createHistogram('sizes', { unit: 'By' }).record(1);
        }, APP),
      );
      await exporter.consume(
        await recordMetrics((p) => p.getMeter('d').createGauge('sizes_bytes').record(2), APP),
      );
      const text = lines(exporter.scrape('text').toString());
      expect(text).toContain('jobs_total{otel_scope_name="a",job="app"} 1');
      expect(text.some((l) => l.startsWith('jobs{'))).toBe(false);
      expect(text.some((l) => l.startsWith('sizes_bytes{'))).toBe(false);
      expect(warnings.join('')).toContain(
        'metric not exposed: its Prometheus name is already taken by jobs_total',
      );
    } finally {
      await exporter.shutdown();
    }
  });

  it('refuses a metric whose family or sample names another family already writes', async () => {
    // Found by test/fuzz/prometheus-exposition.test.ts: a histogram `a_total` and a counter `a` both
    // declared `# TYPE a_total` in text format, which no scraper accepts.
    const { push, port } = await exporting();
    await push(
      await recordMetrics((p) => {
        const meter = p.getMeter('m');
        meter.createHistogram('a_total').record(1);
        meter.createCounter('a').add(2);
        meter.createGauge('a_total_count').record(3);
        meter.createGauge('b').record(4);
      }, APP),
    );
    const text = (await scrape(port)).text;
    expect(expositionProblems(text, 'text')).toEqual([]);
    expect(lines(text).filter((l) => l.startsWith('# TYPE'))).toEqual([
      '# TYPE a_total histogram',
      '# TYPE b gauge',
    ]);
  });

  it('leaves exponential histograms out, saying why', async () => {
    const warnings: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => void warnings.push(line) });
    const exporter = new PrometheusExporter(
      testContext(prometheus.config.parse({ endpoint: '127.0.0.1:0' }), 'prometheus', {
        kind: 'exporter',
        logger,
      }),
    );
    const reader = new OnDemandMetricReader();
    const provider = new MeterProvider({
      ...APP,
      readers: [reader],
      views: [{ instrumentName: 'latency', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
    });
    provider.getMeter('m').createHistogram('latency').record(3);
    provider.getMeter('m').createCounter('calls').add(1);
    await exporter.consume([(await reader.collect()).resourceMetrics]);
    const text = exporter.scrape('text').toString();
    expect(text).toContain('calls_total{otel_scope_name="m",job="app"} 1');
    expect(text).not.toContain('latency');
    expect(warnings.join('')).toContain('exponential histograms have no text-format form');
    await provider.shutdown();
    await exporter.shutdown();
  });

  it('refuses batches after shutdown', async () => {
    const exporter = new PrometheusExporter(
      testContext(prometheus.config.parse({ endpoint: '127.0.0.1:0' }), 'prometheus', { kind: 'exporter' }),
    );
    await exporter.start(testHost());
    await exporter.shutdown();
    await expect(exporter.consume(await guideMetrics())).rejects.toThrow('exporter prometheus is shut down');
  });

  it('exports its own telemetry: scrapes by format and series held', async () => {
    const port = await freePort();
    pipeline = await startPipeline(
      `receivers: { push:, selftelemetry: { collection_interval: 50ms } }
exporters: { prometheus: { endpoint: "127.0.0.1:${port}" } }
service: { pipelines: { metrics: { receivers: [push, selftelemetry], exporters: [prometheus] } } }
`,
      { plugins: builtins },
    );
    await pipeline.push('metrics', await guideMetrics());
    await scrape(port, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    const own = 'component="prometheus",signal="metrics"';
    await expect
      .poll(async () => lines((await scrape(port)).text), { timeout: 5000, interval: 50 })
      .toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^tributary_exporter_prometheus_scrapes_total\{component="prometheus",format="openmetrics",signal="metrics",.*\} 1$/,
          ),
          expect.stringMatching(new RegExp(`^tributary_exporter_prometheus_series\\{${own},.*\\} \\d+$`)),
          expect.stringMatching(new RegExp(`^tributary_exporter_sent_items_total\\{${own},.*\\} \\d+$`)),
        ]),
      );
  });
});
