import { ValueType } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
// The reader reports the MeterProvider's resource; a producer's is not used.
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type CollectionResult,
  DataPointType,
  type GaugeMetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { ENGINE_VERSION } from '../../../core/version.js';
import type { LatencyStats } from './stats.js';
import { quantileName, type WindowStats } from './window.js';

const SCOPE = { name: 'tributary-percentiles', version: ENGINE_VERSION };

/**
 * The windows' statistics as gauges, made at each collection from the keys whose window holds
 * samples. Not the SDK's observable gauges: those repeat a key's last value after it stops being
 * observed, so a window that slid past its last span would keep showing it.
 */
export class LatencyProducer implements MetricProducer {
  /** Metric name suffix, unit and the `WindowStats` field it reports. */
  private readonly gauges: [name: string, unit: string, field: keyof WindowStats][];

  constructor(
    private readonly stats: LatencyStats,
    private readonly prefix: string,
    quantiles: readonly number[],
  ) {
    this.gauges = [
      ...quantiles.map((q) => [quantileName(q), 's', quantileName(q)] as [string, string, keyof WindowStats]),
      ['min', 's', 'min'],
      ['max', 's', 'max'],
      ['avg', 's', 'average'],
      ['count', '{span}', 'count'],
    ];
  }

  async collect(): Promise<CollectionResult> {
    const time = millisToHrTime(Date.now());
    const keys = this.stats.summary().keys;
    const metrics: GaugeMetricData[] = this.gauges.map(([name, unit, field]) => ({
      descriptor: {
        name: `${this.prefix}.${name}`,
        unit,
        description: `${name} of span durations in the window`,
        valueType: field === 'count' ? ValueType.INT : ValueType.DOUBLE,
      },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.GAUGE,
      dataPoints: keys.map(({ attributes, stats }) => ({
        startTime: time,
        endTime: time,
        attributes,
        value: stats[field] as number,
      })),
    }));
    return {
      resourceMetrics: {
        resource: emptyResource(),
        scopeMetrics: keys.length ? [{ scope: SCOPE, metrics }] : [],
      },
      errors: [],
    };
  }
}
