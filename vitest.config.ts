import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  // Examples import the package by name, as their users do.
  resolve: {
    alias: {
      'tributary-telemetry/testing': here('./core/testing/index.ts'),
      'tributary-telemetry/mcp': here('./plugins/receivers/mcp/instrument.ts'),
      'tributary-telemetry': here('./main.ts'),
    },
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    setupFiles: ['reflect-metadata'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
