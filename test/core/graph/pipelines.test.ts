import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Consumer, definePlugin, type Processor } from '../../../core/index.js';
import { makeLogs, makeSpans, type RunningPipeline, startPipeline } from '../../../core/testing/index.js';
import { builtins } from '../../../plugins/index.js';

/** A processor that renames every span in place: it declares mutatesData. */
const renamer = definePlugin({
  kind: 'processor',
  type: 'renamer',
  stability: { traces: 'alpha' },
  config: z.strictObject({ to: z.string().default('renamed') }),
  create: {
    traces: (ctx, next: Consumer<'traces'>): Processor<'traces'> => ({
      mutatesData: true,
      start: async () => {},
      shutdown: async () => {},
      consume: (batch) => {
        for (const span of batch) (span as { name: string }).name = ctx.config.to;
        return next.consume(batch);
      },
    }),
  },
});

/** A traces->traces connector that renames every span in place on its way through: it declares mutatesData. */
const renamingConnector = definePlugin({
  kind: 'connector',
  type: 'renaming_forward',
  stability: { 'traces->traces': 'alpha' },
  config: z.strictObject({}),
  create: {
    'traces->traces': (_ctx, next: Consumer<'traces'>) => ({
      mutatesData: true,
      start: async () => {},
      shutdown: async () => {},
      consume: (batch: ReadableSpan[]) => {
        for (const span of batch) (span as { name: string }).name = 'forwarded';
        return next.consume(batch);
      },
    }),
  },
});

let running: RunningPipeline | undefined;
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
});

const names = (spans: ReadableSpan[]) => spans.map((s) => s.name);

describe('pipeline graph', () => {
  it('a receiver shared by two pipelines delivers to both', async () => {
    running = await startPipeline(
      `receivers: { push: }
exporters: { sink/a: , sink/b: }
service:
  pipelines:
    traces/a: { receivers: [push], exporters: [sink/a] }
    traces/b: { receivers: [push], exporters: [sink/b] }
`,
      { plugins: builtins },
    );
    await running.push('traces', makeSpans(3));
    expect(names(running.recorded.items('traces', 'sink/a'))).toEqual(['span-0', 'span-1', 'span-2']);
    expect(names(running.recorded.items('traces', 'sink/b'))).toEqual(['span-0', 'span-1', 'span-2']);
  });

  it('a mutating processor in one pipeline does not change what another pipeline sees', async () => {
    running = await startPipeline(
      `receivers: { push: }
processors: { renamer: { to: changed } }
exporters: { sink/a: , sink/b: }
service:
  pipelines:
    traces/mutating: { receivers: [push], processors: [renamer], exporters: [sink/a] }
    traces/plain: { receivers: [push], exporters: [sink/b] }
`,
      { plugins: [...builtins, renamer] },
    );
    const spans = makeSpans(2);
    await running.push('traces', spans);
    expect(names(running.recorded.items('traces', 'sink/a'))).toEqual(['changed', 'changed']);
    expect(names(running.recorded.items('traces', 'sink/b'))).toEqual(['span-0', 'span-1']);
    expect(names(spans)).toEqual(['span-0', 'span-1']);
  });

  it('a mutating connector behind a read-only processor does not change what another pipeline sees', async () => {
    running = await startPipeline(
      `receivers: { push: }
processors: { batch: }
connectors: { renaming_forward: }
exporters: { sink/a: , sink/b: }
service:
  pipelines:
    traces/in: { receivers: [push], processors: [batch], exporters: [renaming_forward] }
    traces/out: { receivers: [renaming_forward], exporters: [sink/a] }
    traces/plain: { receivers: [push], exporters: [sink/b] }
`,
      { plugins: [...builtins, renamingConnector] },
    );
    await running.push('traces', makeSpans(2));
    await running.shutdown();
    expect(names(running.recorded.items('traces', 'sink/a'))).toEqual(['forwarded', 'forwarded']);
    expect(names(running.recorded.items('traces', 'sink/b'))).toEqual(['span-0', 'span-1']);
  });

  it('a forward connector carries data from one pipeline into another', async () => {
    running = await startPipeline(
      `receivers: { push: }
connectors: { forward: }
exporters: { sink/first: , sink/second: }
service:
  pipelines:
    logs/in: { receivers: [push], exporters: [sink/first, forward] }
    logs/out: { receivers: [forward], exporters: [sink/second] }
`,
      { plugins: builtins },
    );
    await running.push('logs', makeLogs(['hello', 'world']));
    expect(running.recorded.items('logs', 'sink/first').map((l) => l.body)).toEqual(['hello', 'world']);
    expect(running.recorded.items('logs', 'sink/second').map((l) => l.body)).toEqual(['hello', 'world']);
  });

  it('batch processor: what is held is flushed to the exporter on shutdown', async () => {
    running = await startPipeline(
      `receivers: { push: }
processors: { batch: { timeout: 1h, send_batch_size: 1000 } }
exporters: { sink: }
service:
  pipelines:
    traces: { receivers: [push], processors: [batch], exporters: [sink] }
`,
      { plugins: builtins },
    );
    await running.push('traces', makeSpans(5));
    expect(running.recorded.items('traces')).toHaveLength(0);
    await running.shutdown();
    expect(running.recorded.items('traces')).toHaveLength(5);
  });

  it('starts every exporter before any receiver, and stops every receiver before any exporter', async () => {
    const events: string[] = [];
    const tracked = (kind: 'receiver' | 'exporter') =>
      definePlugin({
        kind,
        type: `tracked_${kind}`,
        stability: { logs: 'alpha', traces: 'alpha' },
        config: z.strictObject({}),
        create: Object.fromEntries(
          (['logs', 'traces'] as const).map((signal) => [
            signal,
            () => ({
              start: async () => void events.push(`start ${kind} ${signal}`),
              shutdown: async () => void events.push(`stop ${kind} ${signal}`),
              consume: async () => {},
            }),
          ]),
        ),
      } as never);
    running = await startPipeline(
      `receivers: { tracked_receiver: }
exporters: { tracked_exporter: }
service:
  pipelines:
    logs: { receivers: [tracked_receiver], exporters: [tracked_exporter] }
    traces: { receivers: [tracked_receiver], exporters: [tracked_exporter] }
`,
      { plugins: [tracked('receiver'), tracked('exporter')] },
    );
    await running.shutdown();
    const kinds = events.map((e) => e.split(' ').slice(0, 2).join(' '));
    expect(kinds).toEqual([
      'start exporter',
      'start exporter',
      'start receiver',
      'start receiver',
      'stop receiver',
      'stop receiver',
      'stop exporter',
      'stop exporter',
    ]);
  });
});

describe('engine lifecycle', () => {
  it('validate() then start() loads the config plugins once', async () => {
    const { Engine } = await import('../../../main.js');
    const { createLogger } = await import('../../../core/telemetry/logger.js');
    const config = new URL('../../../examples/third-party-plugin/pipeline.yaml', import.meta.url).pathname;
    const engine = await Engine.fromFile(config, { logger: createLogger('silent') });
    await engine.validate();
    await engine.start();
    await engine.shutdown();
    expect([...engine.status().values()].every((s) => s.status === 'stopped')).toBe(true);
  });
});
