import type { PluginDefinition } from '../core/plugin.js';
import forward from './connectors/forward/index.js';
import file from './exporters/file/index.js';
import stdout from './exporters/stdout/index.js';
import batch from './processors/batch/index.js';
import memoryLimiter from './processors/memory_limiter/index.js';
import mcp from './receivers/mcp/index.js';
import selftelemetry from './receivers/selftelemetry/index.js';

/** The built-in plugins, one line each. */
export const builtins: readonly PluginDefinition[] = [
  selftelemetry,
  mcp,
  batch,
  memoryLimiter,
  forward,
  stdout,
  file,
] as PluginDefinition[];
