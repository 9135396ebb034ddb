import { type Attributes, type HrTime, ValueType } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import {
  AggregationTemporality,
  type CollectionResult,
  type DataPoint,
  DataPointType,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { redactUrl } from '../../../core/config/redact.js';
import type { CheckResult, Phases } from './check.js';

export const SCOPE = 'tributary-httpcheck';

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** The phase timings, named as the Collector's httpcheck receiver names them. */
const PHASES: [keyof Phases, string, string][] = [
  ['dns', 'httpcheck.dns.lookup.duration', 'Time spent performing DNS lookup for the endpoint.'],
  [
    'connect',
    'httpcheck.client.connection.duration',
    'Time spent establishing TCP connection to the endpoint.',
  ],
  ['tls', 'httpcheck.tls.handshake.duration', 'Time spent performing TLS handshake with the endpoint.'],
  ['request', 'httpcheck.client.request.duration', 'Time spent sending the HTTP request to the endpoint.'],
  ['response', 'httpcheck.response.duration', 'Time spent receiving the HTTP response from the endpoint.'],
];

/** The last check of a target. */
export interface Checked {
  url: string;
  method: string;
  /** Date.now() when the check ended. */
  at: number;
  result: CheckResult;
}

/**
 * The metrics of the last check of every target, as the Collector's httpcheck receiver emits them
 * (each collection holds only what the last checks found, so an error or status that went away does
 * not linger), plus `httpcheck.success`. A MetricProducer the receiver's reader collects.
 */
export class CheckMetrics implements MetricProducer {
  private readonly last: (Checked | undefined)[];
  private readonly start: HrTime = millisToHrTime(Date.now());

  constructor(targets: number) {
    this.last = new Array(targets).fill(undefined);
  }

  set(target: number, checked: Checked): void {
    this.last[target] = checked;
  }

  async collect(): Promise<CollectionResult> {
    const checked = this.last.filter((c): c is Checked => c !== undefined);
    const status: DataPoint<number>[] = [];
    const errors: DataPoint<number>[] = [];
    const durations: DataPoint<number>[] = [];
    const success: DataPoint<number>[] = [];
    const certificates: DataPoint<number>[] = [];
    const phases = PHASES.map((): DataPoint<number>[] => []);
    for (const { url: endpoint, method, at, result } of checked) {
      // A label reaches Prometheus: the URL's password and query stay behind (one redaction rule).
      const url = redactUrl(endpoint);
      const point = (attributes: Attributes, value: number): DataPoint<number> => ({
        startTime: this.start,
        endTime: millisToHrTime(at),
        attributes,
        value,
      });
      const code = result.statusCode;
      const seen = code === undefined ? undefined : `${Math.trunc(code / 100)}xx`;
      for (const statusClass of STATUS_CLASSES) {
        // As the Collector: the status code only on the class seen.
        status.push(
          statusClass === seen
            ? point(
                {
                  'http.url': url,
                  'http.status_code': code,
                  'http.method': method,
                  'http.status_class': statusClass,
                },
                1,
              )
            : point({ 'http.url': url, 'http.method': method, 'http.status_class': statusClass }, 0),
        );
      }
      if (result.error !== undefined)
        errors.push(point({ 'http.url': url, 'error.message': result.error }, 1));
      durations.push(point({ 'http.url': url }, Math.trunc(result.durationMs)));
      success.push(point({ 'http.url': url }, result.success ? 1 : 0));
      for (const [i, [phase]] of PHASES.entries()) {
        const ms = result.phases[phase];
        if (ms === undefined) continue;
        const attributes: Attributes =
          phase === 'connect' ? { 'http.url': url, 'network.transport': 'tcp' } : { 'http.url': url };
        phases[i]?.push(point(attributes, Math.trunc(ms)));
      }
      const cert = result.certificate;
      if (cert) {
        certificates.push(
          point(
            {
              'http.url': url,
              'http.tls.issuer': cert.issuer,
              'http.tls.cn': cert.commonName,
              'http.tls.san': cert.subjectAltNames,
            },
            Math.trunc((cert.notAfter - at) / 1000),
          ),
        );
      }
    }
    const metrics = [
      sum(
        'httpcheck.status',
        '1',
        '1 if the check resulted in status_code matching the status_class, otherwise 0.',
        status,
      ),
      gauge('httpcheck.duration', 'ms', 'Measures the duration of the HTTP check.', durations),
      sum('httpcheck.error', '{error}', 'Records errors occurring during HTTP check.', errors),
      gauge(
        'httpcheck.success',
        '',
        '1 if the check got an expected status code, its body matched and nothing failed, otherwise 0.',
        success,
      ),
      ...PHASES.map(([, name, description], i) => gauge(name, 'ms', description, phases[i] ?? [])),
      gauge(
        'httpcheck.tls.cert_remaining',
        's',
        'Time in seconds until certificate expiry; negative values represent time since expiration.',
        certificates,
      ),
    ].filter((m) => m.dataPoints.length > 0);
    return {
      resourceMetrics: {
        resource: undefined as never,
        scopeMetrics: metrics.length ? [{ scope: { name: SCOPE }, metrics }] : [],
      },
      errors: [],
    };
  }
}

function gauge(name: string, unit: string, description: string, dataPoints: DataPoint<number>[]): MetricData {
  return {
    descriptor: { name, description, unit, valueType: ValueType.INT },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints,
  };
}

/** A cumulative non-monotonic sum, as the Collector's `httpcheck.status` and `httpcheck.error`. */
function sum(name: string, unit: string, description: string, dataPoints: DataPoint<number>[]): MetricData {
  return {
    descriptor: { name, description, unit, valueType: ValueType.INT },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: false,
    dataPoints,
  };
}
