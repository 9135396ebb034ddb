// The engine under load while its only exporter's backend is down: a push receiver, the batch
// processor and the otlp exporter, built from YAML, with the counters read from the self-telemetry.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSpans, type RunningPipeline, startPipeline } from '../../core/testing/index.js';
import { builtins } from '../../plugins/index.js';
import { closedPort, HttpBackend } from '../plugins/exporters/decoders/backends.js';
import { selfMetrics } from './self-metrics.js';

const OUTAGE_MS = 20_000;
const ITEMS_PER_SECOND = 50_000;
const PUSH_SIZE = 500;
/** What the engine may hold on top of what it held before the load, for the config below. */
const HEAP_BOUND = 128 * 1024 * 1024;
const MAX_HELD_ITEMS = 4000;

// gc() without --expose-gc on the command line; contexts made later do not get it.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
setFlagsFromString('--no-expose-gc');

function heapAfterGc(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

/** The counters that account for the items, read from the engine's self-telemetry. */
async function counters(pipeline: RunningPipeline) {
  const value = await selfMetrics(pipeline.engine);
  return {
    accepted: value('tributary_receiver_accepted_items', 'push'),
    receiverRefused: value('tributary_receiver_refused_items', 'push'),
    batchRefused: value('tributary_processor_batch_refused_items', 'batch'),
    /** Items the batch processor handed on to the exporter. */
    batchHandedOn: value('tributary_processor_batch_batch_send_size', 'batch'),
    sent: value('tributary_exporter_sent_items', 'otlp'),
    queued: value('tributary_exporter_queued_items', 'otlp'),
    refused: value('tributary_exporter_refused_items', 'otlp'),
    dropped: value('tributary_exporter_dropped_items', 'otlp'),
    failed: value('tributary_exporter_send_failed_items', 'otlp'),
  };
}

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of cleanup.reverse()) await stop();
});

describe('the only exporter down for 20 s under 50k items/s', () => {
  it('keeps the heap bounded and accounts for every item as sent, queued, refused or dropped', async () => {
    const port = await closedPort();
    const pipeline = await startPipeline(
      `receivers: { push: }
processors:
  batch: { send_batch_size: 1000, timeout: 200ms, max_held_items: ${MAX_HELD_ITEMS} }
exporters:
  otlp:
    endpoint: http://127.0.0.1:${port}
    encoding: json
    retry_on_failure: { initial_interval: 100ms, max_interval: 500ms, max_elapsed_time: 0 }
    sending_queue: { queue_size: 10, num_consumers: 2, when_full: block }
service: { pipelines: { traces: { receivers: [push], processors: [batch], exporters: [otlp] } } }
`,
      { plugins: builtins },
    );
    cleanup.push(() => pipeline.shutdown());
    const baseline = heapAfterGc();

    // A receiver that does not wait: every push is handed over at once, its outcome counted.
    const outcome = { pushed: 0, accepted: 0, refused: 0, pending: new Set<Promise<void>>() };
    const acceptedNames = new Set<string>();
    let maxHeap = baseline;
    const started = performance.now();
    let nextHeapCheck = started + 1000;
    while (performance.now() - started < OUTAGE_MS) {
      const due = ((performance.now() - started) / 1000) * ITEMS_PER_SECOND;
      for (let i = 0; i < 10 && outcome.pushed < due; i++) {
        const name = `push${outcome.pushed / PUSH_SIZE}`;
        const push = pipeline.push('traces', makeSpans(PUSH_SIZE, name)).then(
          () => {
            outcome.accepted += PUSH_SIZE;
            acceptedNames.add(name);
          },
          () => {
            outcome.refused += PUSH_SIZE;
          },
        );
        outcome.pushed += PUSH_SIZE;
        outcome.pending.add(push);
        void push.then(() => outcome.pending.delete(push));
      }
      if (performance.now() >= nextHeapCheck) {
        maxHeap = Math.max(maxHeap, heapAfterGc());
        nextHeapCheck = performance.now() + 1000;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    maxHeap = Math.max(maxHeap, heapAfterGc());
    const rate = Math.round(outcome.pushed / (OUTAGE_MS / 1000));
    console.log(
      `pushed ${outcome.pushed} items (${rate}/s); heap grew at most ${((maxHeap - baseline) / 2 ** 20).toFixed(1)} MiB`,
    );

    // Memory: bounded by the queue, the batch processor's max_held_items and as many waiting.
    expect(maxHeap - baseline).toBeLessThan(HEAP_BOUND);

    // The counters add up while the backend is still down.
    const down = await counters(pipeline);
    expect(down.sent).toBe(0);
    expect(down.accepted).toBe(outcome.accepted);
    expect(down.receiverRefused).toBe(outcome.refused);
    // The pushes not yet answered are those waiting for room: at most max_held_items.
    expect(down.accepted + down.receiverRefused + outcome.pending.size * PUSH_SIZE).toBe(outcome.pushed);
    expect(outcome.pending.size * PUSH_SIZE).toBeLessThanOrEqual(MAX_HELD_ITEMS);
    // What the batch processor handed on is each counted once by the exporter...
    expect(down.sent + down.queued + down.refused + down.dropped + down.failed).toBe(down.batchHandedOn);
    // ...and the rest of what the receiver accepted is still held by the batch processor.
    expect(down.accepted - down.batchHandedOn).toBeGreaterThanOrEqual(0);
    expect(down.accepted - down.batchHandedOn).toBeLessThanOrEqual(MAX_HELD_ITEMS);
    // when_full: block blocked: the pipeline refused at its entrance, the exporter lost nothing.
    expect(down.receiverRefused).toBe(down.batchRefused);
    expect(down.receiverRefused).toBeGreaterThan(0);
    expect(down.refused + down.dropped + down.failed).toBe(0);

    // The backend comes back: everything accepted is delivered, once.
    const backend = await HttpBackend.start(port);
    cleanup.push(() => backend.close());
    while (outcome.pending.size > 0) await Promise.all(outcome.pending);
    await expect
      .poll(
        async () => {
          const c = await counters(pipeline);
          return c.batchHandedOn === c.accepted && c.queued === 0;
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    const after = await counters(pipeline);
    expect(after.accepted + after.receiverRefused).toBe(outcome.pushed);
    expect(after.sent + after.queued + after.refused + after.dropped + after.failed).toBe(after.accepted);
    expect(after.sent).toBe(after.accepted);

    const delivered = backend.requests.flatMap((r) =>
      (
        JSON.parse(r.body.toString()) as { resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[] }
      ).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name))),
    );
    expect(delivered).toHaveLength(after.sent);
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(new Set(delivered.map((n) => n.slice(0, n.lastIndexOf('-'))))).toEqual(acceptedNames);
  }, 90_000);
});
