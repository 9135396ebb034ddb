import type { Attributes } from '@opentelemetry/api';
import type { DataPoint } from '@opentelemetry/sdk-metrics';
import type { Operation } from './config.js';

type Point = DataPoint<unknown>;

const withAttributes = (p: Point, attributes: Attributes): Point => ({ ...p, attributes });

function without(attributes: Attributes, label: string): Attributes {
  const { [label]: _, ...rest } = attributes;
  return rest;
}

const AGGREGATE = {
  sum: (values: number[]) => values.reduce((a, b) => a + b, 0),
  mean: (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length,
  max: (values: number[]) => Math.max(...values),
  min: (values: number[]) => Math.min(...values),
};

/** Points equal on `labels` merged into one, keeping only those labels (sums and gauges; others unchanged). */
function aggregate(points: Point[], labels: string[], how: keyof typeof AGGREGATE): Point[] {
  if (!points.every((p) => typeof p.value === 'number')) return points;
  const groups = new Map<string, Point[]>();
  for (const p of points) {
    const key = JSON.stringify(labels.map((l) => p.attributes[l]));
    const group = groups.get(key);
    if (group) group.push(p);
    else groups.set(key, [p]);
  }
  return [...groups.values()].map((group) => {
    const [first] = group as [Point, ...Point[]];
    const attributes: Attributes = {};
    for (const l of labels) if (first.attributes[l] !== undefined) attributes[l] = first.attributes[l];
    return { ...first, attributes, value: AGGREGATE[how](group.map((p) => p.value as number)) };
  });
}

/** One of the Collector's metricstransform operations on a metric's points; returns new points. */
export function applyOperation(points: Point[], op: Operation): Point[] {
  switch (op.action) {
    case 'add_label':
      return points.map((p) => withAttributes(p, { ...p.attributes, [op.new_label]: op.new_value }));
    case 'update_label':
      return points.map((p) =>
        op.label in p.attributes
          ? withAttributes(p, { ...without(p.attributes, op.label), [op.new_label]: p.attributes[op.label] })
          : p,
      );
    case 'delete_label':
      return points.map((p) =>
        op.label in p.attributes ? withAttributes(p, without(p.attributes, op.label)) : p,
      );
    case 'delete_label_value':
      return points.filter((p) => String(p.attributes[op.label]) !== op.label_value);
    case 'aggregate_labels':
      return aggregate(points, op.label_set, op.aggregation_type);
    case 'experimental_scale_value':
      return points.map((p) =>
        typeof p.value === 'number' ? { ...p, value: p.value * op.experimental_scale } : p,
      );
  }
}
