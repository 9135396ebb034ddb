import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePlugin, type PluginDefinition } from '../../core/plugin.js';
import { Registry } from '../../core/registry.js';

const exporter = (capabilities: unknown): PluginDefinition =>
  ({
    kind: 'exporter',
    type: 'console',
    stability: { logs: 'development' },
    config: z.strictObject({}),
    capabilities,
    create: { logs: () => ({ start: async () => {}, shutdown: async () => {}, consume: async () => {} }) },
  }) as PluginDefinition;

describe('the registry checks declared capabilities', () => {
  it('accepts writesToStdout as a function of the config', () => {
    const registry = new Registry();
    const plugin = definePlugin({
      kind: 'exporter',
      type: 'console',
      stability: { logs: 'development' },
      config: z.strictObject({ to: z.enum(['stdout', 'stderr']).default('stdout') }),
      capabilities: { writesToStdout: (config) => config.to === 'stdout' },
      create: { logs: () => ({ start: async () => {}, shutdown: async () => {}, consume: async () => {} }) },
    });
    registry.register(plugin);
    expect(registry.get('exporter', 'console')?.capabilities?.writesToStdout?.({ to: 'stderr' })).toBe(false);
  });

  it('refuses an unknown capability, suggesting the known one', () => {
    expect(() => new Registry().register(exporter({ writeToStdout: () => true }), '"./console.js"')).toThrow(
      expect.objectContaining({
        code: 'TRB_PLUGIN_INVALID',
        message:
          'plugin "./console.js" "console" declares an unknown capability "writeToStdout"; did you mean "writesToStdout"?',
      }),
    );
  });

  it('refuses a capability that is not a function of the config', () => {
    expect(() => new Registry().register(exporter({ writesToStdout: true }))).toThrow(
      expect.objectContaining({
        code: 'TRB_PLUGIN_INVALID',
        message:
          'plugin engine.use() "console" declares capability writesToStdout as a boolean, not a function of its config',
      }),
    );
  });
});
