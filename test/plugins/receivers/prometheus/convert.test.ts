import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { DataPointType, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import {
  attributesOf,
  StartTimes,
  type TargetLabels,
  toMetrics,
} from '../../../../plugins/receivers/prometheus/convert.js';
import { parseExposition } from '../../../../plugins/receivers/prometheus/parse.js';

const target: TargetLabels = {
  job: 'app',
  instance: '127.0.0.1:9100',
  labels: [
    ['job', 'app'],
    ['instance', '127.0.0.1:9100'],
    ['env', 'prod'],
  ],
  honorLabels: false,
};

const byName = (metrics: MetricData[], name: string) => {
  const metric = metrics.find((m) => m.descriptor.name === name);
  if (!metric) throw new Error(`no metric ${name} in ${metrics.map((m) => m.descriptor.name)}`);
  return metric;
};

const TEXT = `# HELP http_requests_total Requests.
# TYPE http_requests_total counter
http_requests_total{code="200"} 10
# TYPE temperature gauge
temperature -3.5
# TYPE latency_seconds histogram
latency_seconds_bucket{le="0.1"} 1
latency_seconds_bucket{le="1"} 3
latency_seconds_bucket{le="+Inf"} 4
latency_seconds_sum 7.5
latency_seconds_count 4
# TYPE rpc_seconds summary
rpc_seconds{quantile="0.5"} 0.2
rpc_seconds_sum 3
rpc_seconds_count 9
plain 1
`;

describe('toMetrics: samples as OpenTelemetry metrics named as Prometheus stores them', () => {
  it('counters are monotonic cumulative sums, gauges and untyped gauges, with the target labels', () => {
    const metrics = toMetrics(parseExposition(TEXT, 'text'), target, new StartTimes(), 1_000_000);
    const requests = byName(metrics, 'http_requests_total');
    expect(requests).toMatchObject({
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
      descriptor: { description: 'Requests.', unit: '' },
      dataPoints: [{ value: 10, attributes: { code: '200', env: 'prod' } }],
    });
    expect(byName(metrics, 'temperature')).toMatchObject({
      dataPointType: DataPointType.GAUGE,
      dataPoints: [{ value: -3.5 }],
    });
    expect(byName(metrics, 'plain').dataPointType).toBe(DataPointType.GAUGE);
  });

  it('histograms: cumulative buckets become per-bucket counts; summaries: quantiles, _sum and _count gauges', () => {
    const metrics = toMetrics(parseExposition(TEXT, 'text'), target, new StartTimes(), 1_000_000);
    const latency = byName(metrics, 'latency_seconds');
    expect(latency.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(latency.dataPoints[0]?.value as Histogram).toEqual({
      buckets: { boundaries: [0.1, 1], counts: [1, 2, 1] },
      count: 4,
      sum: 7.5,
    });
    expect(byName(metrics, 'rpc_seconds').dataPoints[0]).toMatchObject({
      value: 0.2,
      attributes: { quantile: '0.5' },
    });
    expect(byName(metrics, 'rpc_seconds_sum').dataPointType).toBe(DataPointType.GAUGE);
    expect(byName(metrics, 'rpc_seconds_count').dataPoints[0]?.value).toBe(9);
  });

  it('a series starts at the first scrape that saw it, again after a reset, or at its _created', () => {
    const starts = new StartTimes();
    const startOf = (text: string, now: number, format: 'text' | 'openmetrics' = 'text') => {
      const metrics = toMetrics(parseExposition(text, format), target, starts, now);
      starts.endScrape();
      return hrTimeToMilliseconds(byName(metrics, 'c_total').dataPoints[0]?.startTime ?? [0, 0]);
    };
    expect(startOf('# TYPE c_total counter\nc_total 5\n', 1000)).toBe(1000);
    expect(startOf('# TYPE c_total counter\nc_total 7\n', 2000)).toBe(1000);
    expect(startOf('# TYPE c_total counter\nc_total 2\n', 3000)).toBe(3000); // went down: a reset
    expect(startOf('# TYPE c counter\nc_total 3\nc_created 1.5\n# EOF\n', 4000, 'openmetrics')).toBe(1500);
  });

  it('OpenMetrics: the unit is kept when the name ends with it; _created samples are not series', () => {
    const metrics = toMetrics(
      parseExposition(
        '# TYPE io_bytes counter\n# UNIT io_bytes bytes\nio_bytes_total 3\nio_bytes_created 1\n# EOF\n',
        'openmetrics',
      ),
      target,
      new StartTimes(),
      5000,
    );
    expect(metrics.map((m) => [m.descriptor.name, m.descriptor.unit])).toEqual([['io_bytes_total', 'bytes']]);
  });
});

describe('attributesOf: target labels as Prometheus adds them', () => {
  it('a scraped label the target also sets becomes exported_<name>; job and instance go to the resource', () => {
    expect(
      attributesOf(
        [
          ['env', 'dev'],
          ['job', 'other'],
          ['exported_env', 'x'],
          ['empty', ''],
        ],
        target,
      ),
    ).toEqual({
      env: 'prod',
      exported_env: 'x',
      exported_exported_env: 'dev',
      exported_job: 'other',
    });
  });

  it('honor_labels: the scraped labels win', () => {
    expect(
      attributesOf(
        [
          ['env', 'dev'],
          ['job', 'other'],
        ],
        { ...target, honorLabels: true },
      ),
    ).toEqual({
      env: 'dev',
      job: 'other',
    });
  });
});
