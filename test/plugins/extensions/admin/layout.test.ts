import { describe, expect, it } from 'vitest';
import { Engine } from '../../../../core/engine.js';
import { layOut } from '../../../../plugins/extensions/admin/layout.js';
import { builtins } from '../../../../plugins/index.js';

const graphOf = async (config: Record<string, unknown>) =>
  (await Engine.fromConfig(config, { plugins: builtins }).validate()).graph;

describe('admin layout', () => {
  it('puts receivers first, each node one column after its producers, connectors where pipelines join', async () => {
    const graph = await graphOf({
      receivers: { selftelemetry: {} },
      processors: { batch: {}, memory_limiter: { limit_mib: 100 } },
      connectors: { forward: {} },
      exporters: { 'stdout/a': {}, 'stdout/b': {} },
      service: {
        pipelines: {
          metrics: {
            receivers: ['selftelemetry'],
            processors: ['batch'],
            exporters: ['stdout/a', 'forward'],
          },
          'metrics/2': { receivers: ['forward'], processors: ['memory_limiter'], exporters: ['stdout/b'] },
        },
      },
    });
    const layout = layOut(graph);
    expect(layout.placed.map((p) => [p.node.key, p.column, p.row])).toEqual([
      ['receiver:selftelemetry:metrics', 0, 0],
      ['processor:metrics:batch', 1, 0],
      ['exporter:stdout/a:metrics', 2, 0],
      ['connector:forward:metrics->metrics', 2, 1],
      ['processor:metrics/2:memory_limiter', 3, 0],
      ['exporter:stdout/b:metrics', 4, 0],
    ]);
    // The fan-out is not drawn: batch feeds both of what it fans out to.
    expect(layout.edges.map(([a, b]) => `${a.id} -> ${b.id}`)).toEqual([
      'selftelemetry -> batch',
      'batch -> stdout/a',
      'batch -> forward',
      'forward -> memory_limiter',
      'memory_limiter -> stdout/b',
    ]);
    expect([layout.columns, layout.rows]).toEqual([5, 2]);
  });
});
