import { z } from 'zod';
import type { ComponentKind } from '../component.js';
import type { Registry } from '../registry.js';
import { duration } from './units.js';

export const SECTIONS = {
  extensions: 'extension',
  receivers: 'receiver',
  processors: 'processor',
  exporters: 'exporter',
  connectors: 'connector',
} as const satisfies Record<string, ComponentKind>;
export type Section = keyof typeof SECTIONS;

const ids = z.array(z.string());
export const Pipeline = z.strictObject({
  receivers: ids.min(1, 'a pipeline needs at least one receiver'),
  processors: ids.default([]),
  exporters: ids.min(1, 'a pipeline needs at least one exporter'),
});
export type PipelineConfig = z.output<typeof Pipeline>;

const components = z
  .record(z.string(), z.unknown())
  .nullable()
  .transform((v) => v ?? {});

/** The config's top level; each component's own keys are checked against its plugin's schema. */
export const TopLevelConfig = z.strictObject({
  plugins: z
    .array(z.string())
    .nullable()
    .transform((v) => v ?? [])
    .default([]),
  extensions: components.default({}),
  receivers: components.default({}),
  processors: components.default({}),
  exporters: components.default({}),
  connectors: components.default({}),
  service: z.strictObject({
    extensions: ids.default([]),
    pipelines: z.record(z.string(), Pipeline),
    shutdown_timeout: duration()
      .prefault('10s')
      .describe('how long queues may drain at shutdown before what is left is counted as dropped'),
    telemetry: z
      .strictObject({
        logs: z
          .strictObject({
            level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
          })
          .default({ level: 'info' }),
      })
      .default({ logs: { level: 'info' } }),
  }),
});
export type TopLevel = z.output<typeof TopLevelConfig>;

/** JSON Schema of the whole config, built from the registered plugins' zod schemas, for editors. */
export function configJsonSchema(registry: Registry): Record<string, unknown> {
  const top = z.toJSONSchema(TopLevelConfig, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  > & {
    properties: Record<string, Record<string, unknown>>;
  };
  for (const [section, kind] of Object.entries(SECTIONS)) {
    const patternProperties: Record<string, unknown> = {};
    for (const plugin of registry.list(kind)) {
      const schema = z.toJSONSchema(plugin.config, { io: 'input', unrepresentable: 'any' }) as Record<
        string,
        unknown
      >;
      delete schema.$schema;
      patternProperties[`^${plugin.type}(/.+)?$`] = {
        ...(plugin.description ? { description: plugin.description } : {}),
        anyOf: [schema, { type: 'null' }],
      };
    }
    top.properties[section] = { type: ['object', 'null'], patternProperties, additionalProperties: false };
  }
  return { title: 'Tributary configuration', ...top };
}
