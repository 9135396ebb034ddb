import type { Attributes } from '@opentelemetry/api';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import type { Engine } from '../../core/engine.js';
import { SelfTelemetry } from '../../core/telemetry/self.js';

/**
 * The engine's own metrics as of now, as the `selftelemetry` receiver would export them: the value
 * of `name` for `component` (a histogram's sum), 0 when it has none.
 */
export async function selfMetrics(engine: Engine): Promise<(name: string, component: string) => number> {
  const telemetry = engine.registry.container.resolve(SelfTelemetry);
  const metrics = (await telemetry.collect()).scopeMetrics.flatMap((sm) => sm.metrics);
  return (name, component) => {
    const metric = metrics.find((m) => m.descriptor.name === name);
    const point = metric?.dataPoints.find((p) => (p.attributes as Attributes).component === component);
    const value = point?.value as number | Histogram | undefined;
    return typeof value === 'object' ? (value.sum ?? 0) : (value ?? 0);
  };
}
