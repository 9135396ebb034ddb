// Spans per second from a push receiver through the `batch` processor to a no-op exporter, against
// the OpenTelemetry JS SDK's BatchSpanProcessor feeding the same no-op exporter, same spans.
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { Bench } from 'tinybench';
import { z } from 'zod';
import { definePlugin } from '../core/plugin.js';
import { makeSpans, startPipeline } from '../core/testing/index.js';
import { builtins } from '../plugins/index.js';
import { type Result, ratioLine } from './report.js';

const SPANS = 10_240; // 20 batches of 512: both sides flush on size alone, no timer waits
const BATCH = 512;

export async function run(): Promise<Result> {
  const spans = makeSpans(SPANS, 'bench');

  let exported = 0;
  let done: () => void = () => {};
  const noop = definePlugin({
    kind: 'exporter',
    type: 'noop',
    stability: { traces: 'development' },
    config: z.strictObject({}),
    create: {
      traces: () => ({
        start: async () => {},
        shutdown: async () => {},
        consume: async (batch) => {
          exported += batch.length;
          if (exported >= SPANS) done();
        },
      }),
    },
  });
  const pipeline = await startPipeline(
    `receivers: { push: }
processors: { batch: { send_batch_size: ${BATCH}, send_batch_max_size: ${BATCH}, timeout: 10s } }
exporters: { noop: }
service: { pipelines: { traces: { receivers: [push], processors: [batch], exporters: [noop] } } }
`,
    { plugins: [...builtins, noop] },
  );

  let sdkExported = 0;
  const sdkExporter: SpanExporter = {
    export: (batch: ReadableSpan[], callback) => {
      sdkExported += batch.length;
      callback({ code: 0 });
    },
    shutdown: async () => {},
  };
  // A queue large enough that the SDK drops nothing (its default of 2048 drops most of a burst).
  const processor = new BatchSpanProcessor(sdkExporter, {
    maxExportBatchSize: BATCH,
    maxQueueSize: SPANS * 2,
    scheduledDelayMillis: 10_000,
  });

  const bench = new Bench({ time: 2000, warmupTime: 300 });
  bench
    .add('tributary: push -> batch -> no-op exporter', async () => {
      exported = 0;
      const finished = new Promise<void>((resolve) => (done = resolve));
      for (const span of spans) void pipeline.push('traces', [span]);
      await finished;
    })
    .add('OpenTelemetry SDK: BatchSpanProcessor -> no-op exporter', async () => {
      sdkExported = 0;
      for (const span of spans) processor.onEnd(span);
      await processor.forceFlush();
      if (sdkExported !== SPANS) throw new Error(`the SDK exported ${sdkExported} of ${SPANS} spans`);
    });
  await bench.run();
  await pipeline.shutdown();
  await processor.shutdown();
  return ratioLine('spans/s, batch processor vs SDK BatchSpanProcessor', bench, SPANS);
}
