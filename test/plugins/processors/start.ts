import type { PluginDefinition } from '../../../core/plugin.js';
import { SIGNALS, type Signal } from '../../../core/signals.js';
import { type RunningPipeline, startPipeline } from '../../../core/testing/index.js';

/**
 * A real pipeline per signal, push -> the processor `plugin` -> sink, the processor configured with
 * `config` (YAML lines under its id, indented as you like).
 */
export function startProcessor(
  plugin: PluginDefinition,
  config: string,
  signals: readonly Signal[] = SIGNALS,
): Promise<RunningPipeline> {
  const body = config.replace(/^\n+/, '');
  const indent = /^ */.exec(body)?.[0].length ?? 0;
  const lines = body.split('\n').map((l) => `    ${l.slice(indent)}`);
  const pipelines = signals.map(
    (s) => `    ${s}: { receivers: [push], processors: [${plugin.type}], exporters: [sink] }`,
  );
  return startPipeline(
    [
      'receivers: { push: {} }',
      'processors:',
      `  ${plugin.type}:`,
      ...lines,
      'exporters: { sink: {} }',
      'service:',
      '  pipelines:',
      ...pipelines,
    ].join('\n'),
    { plugins: [plugin] },
  );
}
