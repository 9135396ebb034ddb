import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../../core/config/schema.js';
import { Registry } from '../../../core/registry.js';
import { builtins } from '../../../plugins/index.js';

describe('config/schema.json', () => {
  const registry = new Registry();
  for (const plugin of builtins) registry.register(plugin);
  const schema = configJsonSchema(registry) as {
    properties: Record<string, { patternProperties: Record<string, unknown> }>;
  };

  it('is up to date with the built-in plugins (run `npm run schema` after changing a config)', () => {
    const committed = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../../config/schema.json'), 'utf8'),
    );
    expect(committed).toEqual(schema);
  });

  it('describes each component type with its keys and defaults as users write them', () => {
    const batch = schema.properties.processors?.patternProperties['^batch(/.+)?$'] as {
      anyOf: { properties: Record<string, { default?: unknown }> }[];
    };
    expect(batch.anyOf[0]?.properties.timeout?.default).toBe('200ms');
    const exporters = builtins.filter((p) => p.kind === 'exporter').map((p) => `^${p.type}(/.+)?$`);
    expect(Object.keys(schema.properties.exporters?.patternProperties ?? {})).toEqual(exporters);
    expect(exporters).toContain('^stdout(/.+)?$');
  });
});
