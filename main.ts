/**
 * The `tributary` package: the engine's API with the built-in plugins registered. Embed it:
 *
 *   const engine = await Engine.fromFile('pipelines/mcp-server.yaml');
 *   await engine.start();
 */
import { Engine as CoreEngine, type EngineOptions, type LoadedConfig } from './core/index.js';
import { builtins } from './plugins/index.js';

export * from './core/index.js';
export { builtins } from './plugins/index.js';

/** The engine with every built-in plugin registered; `use()` adds more. */
export class Engine extends CoreEngine {
  constructor(source: LoadedConfig, options: EngineOptions = {}) {
    super(source, { ...options, plugins: [...builtins, ...(options.plugins ?? [])] });
  }
}
