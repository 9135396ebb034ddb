import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Attributes, type HrTime, ValueType } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  DataPointType,
  type MetricData,
} from '@opentelemetry/sdk-metrics';

/** Reads a file under the host's /proc (`root` is root_path, the host's `/`). */
export const readProc = (root: string, file: string): Promise<string> =>
  readFile(join(root, 'proc', file), 'utf8');

/** A metric a scraper reports: its name, unit and description, and how it aggregates. */
export interface Metric {
  name: string;
  unit: string;
  description: string;
  /** `counter`: a monotonic cumulative sum; `updowncounter`: a non-monotonic one; `gauge`: a value now. */
  kind: 'counter' | 'updowncounter' | 'gauge';
  valueType: ValueType;
}

export const counter = (
  name: string,
  unit: string,
  description: string,
  valueType = ValueType.INT,
): Metric => ({
  name,
  unit,
  description,
  kind: 'counter',
  valueType,
});
export const upDownCounter = (name: string, unit: string, description: string): Metric => ({
  name,
  unit,
  description,
  kind: 'updowncounter',
  valueType: ValueType.INT,
});
export const gauge = (name: string, unit: string, description: string): Metric => ({
  name,
  unit,
  description,
  kind: 'gauge',
  valueType: ValueType.DOUBLE,
});

/**
 * What one scraper read in one collection. Only what was read now is reported: a filesystem unmounted
 * or an interface removed since the last collection is gone, not repeated with its last value.
 */
export class Observations {
  private readonly points = new Map<Metric, DataPoint<number>[]>();

  constructor(
    /** When the counters started counting: the host's boot, or this process's start. */
    private readonly start: HrTime,
    private readonly end: HrTime,
  ) {}

  observe(metric: Metric, value: number, attributes: Attributes = {}): void {
    const points = this.points.get(metric) ?? [];
    if (points.length === 0) this.points.set(metric, points);
    points.push({ startTime: this.start, endTime: this.end, attributes, value });
  }

  metrics(): MetricData[] {
    return [...this.points].map(([metric, dataPoints]) => {
      const descriptor = {
        name: metric.name,
        unit: metric.unit,
        description: metric.description,
        valueType: metric.valueType,
      };
      if (metric.kind === 'gauge')
        return {
          descriptor,
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPointType: DataPointType.GAUGE,
          dataPoints,
        };
      return {
        descriptor,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.SUM,
        isMonotonic: metric.kind === 'counter',
        dataPoints,
      };
    });
  }
}

/** One scraper: reads its part of the host into `result`; a rejection means it could not read it. */
export interface Scraper {
  name: string;
  /** Counters of this process start with it; the others with the host's boot. */
  counts?: 'since-process-start';
  scrape(result: Observations): Promise<void>;
}
