// The shared exporter settings as a user configures them in YAML, against a flaky exporter plugin.
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Consumer } from '../../../core/component.js';
import { parseConfigText } from '../../../core/config/load.js';
import {
  createExporter,
  definePlugin,
  Engine,
  exporterConfig,
  type Host,
  PermanentError,
  RetryableError,
} from '../../../core/index.js';
import { createLogger } from '../../../core/telemetry/logger.js';
import { makeSpans, pushReceiver, startPipeline } from '../../../core/testing/index.js';
import { builtins } from '../../../plugins/index.js';

/** An exporter that fails its first `failures` sends (or hangs, with `hang`), recording each attempt. */
function flakyExporter(behaviour: { failures?: number; permanent?: boolean; hang?: boolean }) {
  const attempts: string[][] = [];
  const delivered: string[][] = [];
  const plugin = definePlugin({
    kind: 'exporter',
    type: 'flaky',
    stability: { traces: 'development' },
    config: exporterConfig({ label: z.string().default('flaky') }),
    create: {
      traces: (ctx) =>
        createExporter(ctx, 'traces', {
          send: async (batch: ReadableSpan[], signal: AbortSignal) => {
            attempts.push(batch.map((s) => s.name));
            if (behaviour.hang) {
              await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
            }
            if (attempts.length <= (behaviour.failures ?? 0)) {
              throw behaviour.permanent
                ? new PermanentError('bad data')
                : new RetryableError('backend unavailable');
            }
            delivered.push(batch.map((s) => s.name));
          },
        }),
    },
  });
  return { plugin, attempts, delivered };
}

const config = (exporter: string) => `receivers: { push: }
exporters:
  flaky:
${exporter}
service: { pipelines: { traces: { receivers: [push], exporters: [flaky] } } }
`;

describe('exporter policies from YAML', () => {
  it('retries a failing send with backoff until it succeeds, delivering once', async () => {
    const flaky = flakyExporter({ failures: 3 });
    const pipeline = await startPipeline(
      config('    retry_on_failure: { initial_interval: 5ms, max_interval: 20ms }'),
      { plugins: [flaky.plugin] },
    );
    await pipeline.push('traces', makeSpans(2));
    await expect.poll(() => flaky.delivered).toEqual([['span-0', 'span-1']]);
    expect(flaky.attempts).toHaveLength(4);
    await pipeline.shutdown();
  });

  it('gives up after max_elapsed_time and does not retry a PermanentError', async () => {
    const flaky = flakyExporter({ failures: 1, permanent: true });
    const pipeline = await startPipeline(config('    retry_on_failure: { initial_interval: 5ms }'), {
      plugins: [flaky.plugin],
    });
    await pipeline.push('traces', makeSpans(1));
    await pipeline.shutdown();
    expect(flaky.attempts).toHaveLength(1);
    expect(flaky.delivered).toEqual([]);
  });

  it('with the queue off, the pipeline sees the failure after retries are exhausted', async () => {
    const flaky = flakyExporter({ failures: 100 });
    const pipeline = await startPipeline(
      config(
        '    sending_queue: { enabled: false }\n    retry_on_failure: { initial_interval: 2ms, max_interval: 5ms, max_elapsed_time: 30ms }',
      ),
      { plugins: [flaky.plugin] },
    );
    await expect(pipeline.push('traces', makeSpans(1))).rejects.toThrow(/backend unavailable/);
    expect(flaky.attempts.length).toBeGreaterThan(1);
    await pipeline.shutdown();
  });

  it('drop_newest refuses what does not fit in the queue; block loses nothing', async () => {
    const dropping = flakyExporter({ hang: true });
    const pipeline = await startPipeline(
      config(
        '    timeout: 0\n    sending_queue: { queue_size: 1, num_consumers: 1, when_full: drop_newest }',
      ),
      { plugins: [dropping.plugin] },
    );
    await pipeline.push('traces', makeSpans(1, 'first')); // taken by the one consumer, which hangs
    await expect.poll(() => dropping.attempts.length).toBe(1);
    await pipeline.push('traces', makeSpans(1, 'second')); // fills the queue
    await expect(pipeline.push('traces', makeSpans(1, 'third'))).rejects.toThrow(/sending queue is full/);
    await pipeline.engine.shutdown({ timeoutMs: 50 });

    const blocking = flakyExporter({ failures: 0 });
    const ok = await startPipeline(
      config('    sending_queue: { queue_size: 10, num_consumers: 1, when_full: block }'),
      { plugins: [blocking.plugin] },
    );
    // 20 at once: one is sent, 10 are held, 9 wait for room — all within the bound, none lost.
    await Promise.all(Array.from({ length: 20 }, (_, i) => ok.push('traces', makeSpans(1, `b${i}`))));
    await ok.shutdown();
    expect(blocking.delivered.flat().sort()).toEqual(Array.from({ length: 20 }, (_, i) => `b${i}-0`).sort());
  });

  it('shutdown drains the queue, and gives up at the deadline counting what is left', async () => {
    const slow = flakyExporter({ failures: 2 });
    const pipeline = await startPipeline(config('    retry_on_failure: { initial_interval: 5ms }'), {
      plugins: [slow.plugin],
    });
    await pipeline.push('traces', makeSpans(3));
    await pipeline.shutdown();
    expect(slow.delivered).toEqual([['span-0', 'span-1', 'span-2']]);

    const stuck = flakyExporter({ hang: true });
    const hung = await startPipeline(config('    timeout: 0'), { plugins: [stuck.plugin] });
    await hung.push('traces', makeSpans(4));
    await hung.push('traces', makeSpans(2));
    await hung.engine.shutdown({ timeoutMs: 100 }); // resolves at the deadline although the sends never end
    expect(stuck.delivered).toEqual([]);
    const statuses = [...hung.engine.status().values()].map((s) => s.status);
    expect(statuses.every((s) => s === 'stopped')).toBe(true);
  });

  it('sums up in the closing line, once, what could not be sent', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
    const targets = new Map<string, Consumer>();
    const stuck = flakyExporter({ hang: true });
    const engine = new Engine(parseConfigText(config('    timeout: 0'), 'policies.yaml'), {
      logger,
      plugins: [pushReceiver(targets), stuck.plugin],
    });
    await engine.start();
    await targets.get('push:traces')?.consume(makeSpans(4));
    await engine.shutdown({ timeoutMs: 50 });
    const closing = lines.filter((l) => String(l.message).startsWith('Shutdown complete'));
    // Reported once: no other warning or error speaks of the loss.
    expect(lines.filter((l) => l.level === 'WARN' || l.level === 'ERROR')).toEqual(closing);
    expect(closing).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message:
          'Shutdown complete. Not sent in this run: 4 spans (flaky: 4 dropped at the shutdown deadline).',
        not_sent: { 'flaky/traces': 4 },
      }),
    ]);
  });
});

describe('when_full: block, with producers that do not wait', () => {
  it('lets at most queue_size batches wait for room, refusing and counting the rest', async () => {
    const stuck = flakyExporter({ hang: true });
    const pipeline = await startPipeline(
      config('    timeout: 0\n    sending_queue: { queue_size: 2, num_consumers: 1, when_full: block }'),
      { plugins: [stuck.plugin] },
    );
    const outcomes: string[] = [];
    // One is taken by the (stuck) sender, two are held, two wait for room; the other five are refused.
    for (let i = 0; i < 10; i++) {
      void pipeline.push('traces', makeSpans(1, `f${i}`)).then(
        () => outcomes.push('accepted'),
        (err: Error) =>
          outcomes.push(err.message.includes('sending queue is full') ? 'refused' : err.message),
      );
    }
    await expect.poll(() => outcomes.length).toBe(8);
    expect(outcomes.filter((o) => o === 'refused')).toHaveLength(5);
    expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(3);
    await pipeline.engine.shutdown({ timeoutMs: 50 });
  });
});

describe('service.shutdown_timeout', () => {
  it('is the drain deadline engine.shutdown() gives components', async () => {
    let reason = '';
    // An exporter whose shutdown waits for the engine's drain deadline, as a stuck backend would.
    const waiting = definePlugin({
      kind: 'exporter',
      type: 'waiting',
      stability: { traces: 'development' },
      config: z.strictObject({}),
      create: {
        traces: () => {
          let deadline: AbortSignal | undefined;
          return {
            start: async (host: Host) => {
              deadline = host.shutdownSignal;
            },
            consume: async () => {},
            shutdown: () =>
              new Promise<void>((resolve) =>
                deadline?.addEventListener('abort', () => {
                  reason = String((deadline?.reason as Error | undefined)?.message);
                  resolve();
                }),
              ),
          };
        },
      },
    });
    const pipeline = await startPipeline(
      `receivers: { push: }
exporters: { waiting: }
service: { shutdown_timeout: 100ms, pipelines: { traces: { receivers: [push], exporters: [waiting] } } }
`,
      { plugins: [waiting] },
    );
    await pipeline.shutdown();
    expect(reason).toBe('drain deadline of 100 ms passed');
  });
});

describe('the drain deadline with a full queue', () => {
  it('ends shutdown even while a processor is still waiting for room in the queue', async () => {
    const stuck = flakyExporter({ hang: true });
    const pipeline = await startPipeline(
      `receivers: { push: }
processors: { batch: { timeout: 0 } }
exporters:
  flaky: { timeout: 0, sending_queue: { queue_size: 1, num_consumers: 1 } }
service: { shutdown_timeout: 100ms, pipelines: { traces: { receivers: [push], processors: [batch], exporters: [flaky] } } }
`,
      { plugins: [...builtins, stuck.plugin] },
    );
    for (let i = 0; i < 5; i++) await pipeline.push('traces', makeSpans(1, `b${i}`));
    await pipeline.shutdown(); // the batch processor's sends wait on the full queue until the deadline frees them
    expect(stuck.delivered).toEqual([]);
  });
});
