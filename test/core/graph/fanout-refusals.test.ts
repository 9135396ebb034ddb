// Fan-out to two exporters when one of them refuses: each exporter accounts for every item once.
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createExporter, definePlugin, exporterConfig } from '../../../core/index.js';
import { makeSpans, startPipeline } from '../../../core/testing/index.js';
import { builtins } from '../../../plugins/index.js';
import { selfMetrics } from '../self-metrics.js';

/** An exporter whose backend takes every batch, or (with `down`) never answers. */
const gated = definePlugin({
  kind: 'exporter',
  type: 'gated',
  stability: { traces: 'development' },
  config: exporterConfig({ down: z.boolean().default(false) }),
  create: {
    traces: (ctx) =>
      createExporter(ctx, 'traces', {
        send: (_batch: ReadableSpan[], signal: AbortSignal) =>
          ctx.config.down
            ? new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
            : Promise.resolve(),
      }),
  },
});

describe('fan-out when one exporter refuses', () => {
  it('does not refuse the batch for the exporter that took it, nor count it as dropped upstream', async () => {
    const pipeline = await startPipeline(
      `receivers: { push: }
processors: { batch: { timeout: 0 } }
exporters:
  gated/down: { down: true, timeout: 0, sending_queue: { queue_size: 1, num_consumers: 1, when_full: drop_newest } }
  gated/up: {}
service:
  pipelines:
    traces: { receivers: [push], processors: [batch], exporters: [gated/down, gated/up] }
`,
      { plugins: [...builtins, gated] },
    );
    // The first is being sent, the second queued, the third refused by gated/down; gated/up takes all.
    for (let i = 0; i < 3; i++) await pipeline.push('traces', makeSpans(2, `b${i}`));
    const sentByUp = async () =>
      (await selfMetrics(pipeline.engine))('tributary_exporter_sent_items', 'gated/up');
    await expect.poll(sentByUp).toBe(6);

    const now = await selfMetrics(pipeline.engine);
    expect(now('tributary_receiver_accepted_items', 'push')).toBe(6);
    expect(now('tributary_receiver_refused_items', 'push')).toBe(0);
    expect(now('tributary_processor_batch_send_failed_items', 'batch')).toBe(0);
    const account = (id: string) =>
      ['sent', 'queued', 'refused', 'dropped', 'send_failed'].map((c) =>
        now(`tributary_exporter_${c}_items`, id),
      );
    expect(account('gated/up')).toEqual([6, 0, 0, 0, 0]);
    expect(account('gated/down')).toEqual([0, 4, 2, 0, 0]);
    await pipeline.engine.shutdown({ timeoutMs: 50 });
  });
});
