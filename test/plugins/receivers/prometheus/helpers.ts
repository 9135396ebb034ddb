// Shared by the prometheus receiver's tests: targets on loopback, and what a pipeline received as
// Prometheus samples (name, labels, value), the way Prometheus would store them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataPointType, type Histogram, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { Counter, Gauge, Histogram as PromHistogram, Registry, Summary } from 'prom-client';
import { parseExposition } from '../../../../plugins/receivers/prometheus/parse.js';

export interface Target {
  address: string;
  /** Each request's headers, in order. */
  requests: IncomingMessage['headers'][];
  close(): Promise<void>;
}

/** An HTTP target on 127.0.0.1 answering every request with `handle`. */
export async function startTarget(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Target> {
  const requests: IncomingMessage['headers'][] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.headers);
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves a fixed body with a content type. */
export const serving =
  (body: string, contentType = 'text/plain; version=0.0.4; charset=utf-8') =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
  };

/** A sample as Prometheus stores it: `name{a="1",b="2"}` (labels sorted) and its value. */
export type Samples = Map<string, number>;

export const seriesKey = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',')}}`;

/**
 * What a pipeline got, as Prometheus samples: job/instance from the resource, sums and gauges as
 * they are, histograms as cumulative `_bucket{le}`, `_sum`, `_count`.
 */
export function samplesOf(batch: readonly ResourceMetrics[]): Samples {
  const out: Samples = new Map();
  for (const rm of batch) {
    const job = String(rm.resource.attributes['service.name']);
    const instance = String(rm.resource.attributes['service.instance.id']);
    for (const sm of rm.scopeMetrics)
      for (const m of sm.metrics)
        for (const p of m.dataPoints) {
          const labels = { job, instance, ...(p.attributes as Record<string, string>) };
          const name = m.descriptor.name;
          if (m.dataPointType !== DataPointType.HISTOGRAM) {
            out.set(seriesKey(name, labels), p.value as number);
            continue;
          }
          const h = p.value as Histogram;
          let cumulative = 0;
          h.buckets.boundaries.forEach((bound, i) => {
            cumulative += h.buckets.counts[i] ?? 0;
            out.set(seriesKey(`${name}_bucket`, { ...labels, le: String(bound) }), cumulative);
          });
          out.set(seriesKey(`${name}_bucket`, { ...labels, le: '+Inf' }), h.count);
          if (h.sum !== undefined) out.set(seriesKey(`${name}_sum`, labels), h.sum);
          out.set(seriesKey(`${name}_count`, labels), h.count);
        }
  }
  return out;
}

/** An exposition's samples, with `extra` labels on each (a scraper's job and instance). */
export function samplesOfText(text: string, extra: Record<string, string> = {}): Samples {
  const out: Samples = new Map();
  for (const family of parseExposition(text, 'text'))
    for (const s of family.samples)
      out.set(seriesKey(s.name, { ...Object.fromEntries(s.labels), ...extra }), s.value);
  return out;
}

/** The series Prometheus adds per target, which the exposition itself does not have. */
export const SCRAPE_SERIES =
  /^(up|scrape_duration_seconds|scrape_samples_scraped|scrape_samples_post_metric_relabeling|scrape_series_added)\{/;

export const withoutScrapeSeries = (samples: Samples): Samples =>
  new Map([...samples].filter(([key]) => !SCRAPE_SERIES.test(key)));

/** A prom-client app with fixed values of every type. */
export function promClientApp(): Registry {
  const registry = new Registry();
  const requests = new Counter({
    name: 'app_requests_total',
    help: 'Requests handled.',
    labelNames: ['method', 'path'],
    registers: [registry],
  });
  requests.inc({ method: 'GET', path: '/a "quoted" \\ path' }, 5);
  requests.inc({ method: 'POST', path: '/b' }, 2);
  new Gauge({ name: 'app_temperature_celsius', help: 'Temperature.', registers: [registry] }).set(-3.5);
  const latency = new PromHistogram({
    name: 'app_latency_seconds',
    help: 'Latency.',
    labelNames: ['route'],
    buckets: [0.1, 0.5, 1, 2.5],
    registers: [registry],
  });
  for (const v of [0.05, 0.3, 0.3, 2, 7]) latency.observe({ route: '/x' }, v);
  const sizes = new Summary({
    name: 'app_payload_bytes',
    help: 'Payload sizes.',
    percentiles: [0.5, 0.9, 0.99],
    registers: [registry],
  });
  for (const v of [100, 200, 300, 400, 500]) sizes.observe(v);
  return registry;
}
