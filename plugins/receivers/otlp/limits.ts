import type { Attributes } from '@opentelemetry/api';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Batch, Signal } from '../../../core/signals.js';

/**
 * Cuts every string attribute value (and log body) of a decoded request to `max` characters, in place
 * (the receiver made these objects), as the SDK's attributeValueLengthLimit does, strings inside
 * arrays and maps (a log's AnyValue) included; returns how many strings it cut. Resource attributes
 * too. `max` 0: no limit.
 */
export function limitAttributeValues<S extends Signal>(signal: S, items: Batch<S>, max: number): number {
  if (max <= 0) return 0;
  let cut = 0;
  const count = () => {
    cut++;
  };
  const seen = new WeakSet<object>();
  const limit = (attributes: Attributes | Record<string, unknown> | undefined) => {
    // Resources and scopes are shared by the items of a request: once each.
    if (!attributes || seen.has(attributes)) return;
    seen.add(attributes);
    limitValue(attributes, max, count);
  };
  if (signal === 'metrics') {
    for (const rm of items as ResourceMetrics[]) {
      limit(rm.resource.attributes);
      for (const sm of rm.scopeMetrics)
        for (const m of sm.metrics) for (const p of m.dataPoints) limit(p.attributes);
    }
    return cut;
  }
  for (const item of items as Batch<'traces' | 'logs'>) {
    limit(item.resource.attributes);
    limit(item.attributes);
    if ('events' in item) {
      for (const event of item.events) limit(event.attributes);
      for (const link of item.links) limit(link.attributes);
    } else {
      (item as { body: unknown }).body = limitValue(item.body, max, count);
    }
  }
  return cut;
}

/** `value` with every string in it, in arrays and maps too, cut to `max` (in place); `count` for each cut. */
function limitValue(value: unknown, max: number, count: () => void): unknown {
  if (typeof value === 'string') {
    if (value.length <= max) return value;
    count();
    return value.slice(0, max);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = limitValue(value[i], max, count);
  } else if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const map = value as Record<string, unknown>;
    for (const key of Object.keys(map)) map[key] = limitValue(map[key], max, count);
  }
  return value;
}
