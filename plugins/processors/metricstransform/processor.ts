import type { Attributes } from '@opentelemetry/api';
import type { MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { attributesMatcher, textMatcher } from '../../../core/attributes/match.js';
import type { Consumer, Processor } from '../../../core/component.js';
import type { MetricsTransformConfig, Transform } from './config.js';
import { applyOperation } from './operations.js';

/** A transform with its name and label tests compiled once. */
interface Compiled {
  transform: Transform;
  matchesName: (name: string) => boolean;
  matchesPoint: (attributes: Attributes) => boolean;
}

function compile(transform: Transform): Compiled {
  return {
    transform,
    matchesName: textMatcher([transform.include], transform.match_type),
    matchesPoint: attributesMatcher(transform.experimental_match_labels ?? {}, transform.match_type),
  };
}

/** The metric as the transform leaves it: a new object; the original (maybe a receiver's) is not touched. */
function transformed(metric: MetricData, { transform, matchesPoint }: Compiled): MetricData {
  // New point objects: a copy shares nothing with its original, which a later processor may change.
  const matching = (
    transform.action === 'insert'
      ? metric.dataPoints.filter((p) => matchesPoint(p.attributes))
      : metric.dataPoints
  ).map((p) => ({ ...p, attributes: { ...p.attributes } }));
  const dataPoints = transform.operations.reduce(applyOperation, matching as never[]);
  const descriptor = {
    ...metric.descriptor,
    name: transform.new_name ?? metric.descriptor.name,
    unit: transform.new_unit ?? metric.descriptor.unit,
  };
  return { ...metric, descriptor, dataPoints } as MetricData;
}

/** The `metricstransform` processor: renames, copies, relabels, aggregates and scales metrics, in order. */
export class MetricsTransformProcessor implements Processor<'metrics'> {
  /** It replaces metrics in the batch's lists. */
  readonly mutatesData = true;
  private readonly transforms: Compiled[];

  constructor(
    config: MetricsTransformConfig,
    private readonly next: Consumer<'metrics'>,
  ) {
    this.transforms = config.transforms.map(compile);
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  consume(batch: ResourceMetrics[]): Promise<void> {
    for (const resource of batch) {
      for (const scope of resource.scopeMetrics) {
        let metrics = scope.metrics;
        for (const t of this.transforms) {
          metrics = metrics.flatMap((m) => {
            if (!t.matchesName(m.descriptor.name)) return [m];
            const result = transformed(m, t);
            if (t.transform.action === 'update') return [result];
            return result.dataPoints.length > 0 ? [m, result] : [m];
          });
        }
        (scope as { metrics: MetricData[] }).metrics = metrics;
      }
    }
    return this.next.consume(batch);
  }
}
