import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Batch, Signal } from '../../../core/signals.js';

/**
 * Cuts every string attribute value (and string log body) of a decoded request to `max` characters,
 * in place (the receiver made these objects), as the SDK's attributeValueLengthLimit does; returns how
 * many values it cut. Resource and scope attributes too. `max` 0: no limit.
 */
export function limitAttributeValues<S extends Signal>(signal: S, items: Batch<S>, max: number): number {
  if (max <= 0) return 0;
  let cut = 0;
  const seen = new WeakSet<object>();
  const limit = (attributes: Attributes | Record<string, unknown> | undefined) => {
    // Resources and scopes are shared by the items of a request: once each.
    if (!attributes || seen.has(attributes)) return;
    seen.add(attributes);
    for (const [key, value] of Object.entries(attributes)) {
      const limited = limitValue(value as AttributeValue | undefined, max);
      if (limited !== value) {
        (attributes as Record<string, unknown>)[key] = limited;
        cut++;
      }
    }
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
    } else if (typeof item.body === 'string' && item.body.length > max) {
      (item as { body: unknown }).body = item.body.slice(0, max);
      cut++;
    }
  }
  return cut;
}

function limitValue(value: AttributeValue | undefined, max: number): AttributeValue | undefined {
  if (typeof value === 'string') return value.length > max ? value.slice(0, max) : value;
  if (!Array.isArray(value) || !value.some((v) => typeof v === 'string' && v.length > max)) return value;
  return value.map((v) => (typeof v === 'string' && v.length > max ? v.slice(0, max) : v)) as AttributeValue;
}
