// A third-party Tributary plugin: the processor `add_attribute` stamps one attribute on every span,
// metric data point and log record. It needs nothing from tributary at run time: a plugin is plain
// data. In TypeScript, wrap it in `definePlugin` from 'tributary-telemetry' to get the config type inferred.
import { z } from 'zod';

const Config = z.strictObject({
  key: z.string().min(1).describe('the attribute to set'),
  value: z.union([z.string(), z.number(), z.boolean()]).describe('its value'),
  overwrite: z.boolean().default(false).describe('replace a value the item already has'),
});

/** Sets the attribute on each item of a batch, then hands the batch on. */
class AddAttribute {
  // It changes the items it gets, so the engine hands it a private copy when a pipeline is shared.
  mutatesData = true;

  constructor(config, next, attributesOf) {
    this.config = config;
    this.next = next;
    this.attributesOf = attributesOf;
  }

  async start() {}
  async shutdown() {}

  consume(batch) {
    const { key, value, overwrite } = this.config;
    for (const attributes of this.attributesOf(batch)) {
      if (overwrite || !(key in attributes)) attributes[key] = value;
    }
    return this.next.consume(batch);
  }
}

function* pointAttributes(batch) {
  for (const rm of batch)
    for (const sm of rm.scopeMetrics)
      for (const m of sm.metrics) for (const p of m.dataPoints) yield p.attributes;
}
const itemAttributes = (batch) => batch.map((item) => item.attributes);

/** @type {import('tributary-telemetry').PluginDefinition} */
export default {
  kind: 'processor',
  type: 'add_attribute',
  description: 'Stamps one attribute on every span, metric data point and log record.',
  engine: '>=0.1.0 <1',
  stability: { traces: 'alpha', metrics: 'alpha', logs: 'alpha' },
  config: Config,
  create: {
    traces: (ctx, next) => new AddAttribute(ctx.config, next, itemAttributes),
    metrics: (ctx, next) => new AddAttribute(ctx.config, next, pointAttributes),
    logs: (ctx, next) => new AddAttribute(ctx.config, next, itemAttributes),
  },
};
