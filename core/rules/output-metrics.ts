import { ValueType } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type GaugeMetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { isStaleNaN } from '../promql/stale.js';
import type { Sample } from '../promql/types.js';

const SCOPE = { name: 'tributary/alertrules' };

/**
 * Rule outputs (recording rules, ALERTS, ALERTS_FOR_STATE) as gauges, one per metric name, the
 * labels but `__name__` as attributes, with no resource attributes of their own (the series carry
 * theirs). Staleness markers are left out: OpenTelemetry has no such point; exporters expire
 * series that stop arriving. Undefined when there is nothing to send.
 */
export function ruleOutputMetrics(samples: readonly Sample[]): ResourceMetrics | undefined {
  const byName = new Map<string, GaugeMetricData>();
  for (const s of samples) {
    if (isStaleNaN(s.v)) continue;
    const { __name__: name = '', ...attributes } = s.labels;
    let metric = byName.get(name);
    if (!metric) {
      metric = {
        descriptor: { name, unit: '', description: `Alert rule output ${name}`, valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.GAUGE,
        dataPoints: [],
      };
      byName.set(name, metric);
    }
    const time = millisToHrTime(s.t);
    metric.dataPoints.push({ startTime: time, endTime: time, attributes, value: s.v });
  }
  if (byName.size === 0) return undefined;
  return { resource: emptyResource(), scopeMetrics: [{ scope: SCOPE, metrics: [...byName.values()] }] };
}
