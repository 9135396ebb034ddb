// Off Linux, the default config must still run: hostmetrics says once that it has nothing to report.
import { describe, expect, it, vi } from 'vitest';
import { Engine } from '../../../../core/index.js';
import { createLogger } from '../../../../core/telemetry/logger.js';
import { pushReceiver, Recorded, sinkExporter } from '../../../../core/testing/index.js';
import { builtins } from '../../../../plugins/index.js';

vi.mock('node:os', async (original) => ({
  ...(await original<typeof import('node:os')>()),
  platform: () => 'darwin',
}));

describe('hostmetrics off Linux', () => {
  it('starts, warns once with TRB_RECEIVER_HOSTMETRICS_NOT_LINUX, and reports no host metrics', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
    const recorded = new Recorded();
    const engine = Engine.fromConfig(
      {
        receivers: { hostmetrics: { collection_interval: '10ms' } },
        exporters: { sink: {} },
        service: { pipelines: { metrics: { receivers: ['hostmetrics'], exporters: ['sink'] } } },
      },
      { logger, plugins: [...builtins, pushReceiver(new Map()), sinkExporter(recorded)] },
    );
    await engine.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await engine.shutdown();
    expect(engine.state).toBe('stopped');
    const warnings = lines.filter((l) => l.code === 'TRB_RECEIVER_HOSTMETRICS_NOT_LINUX');
    expect(warnings).toEqual([
      expect.objectContaining({ level: 'WARN', platform: 'darwin', component: 'hostmetrics' }),
    ]);
    expect(recorded.of('metrics')).toEqual([]);
  });
});
