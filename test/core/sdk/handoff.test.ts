import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Consumer } from '../../../core/component.js';
import { Handoff } from '../../../core/sdk/handoff.js';
import { SelfTelemetry } from '../../../core/telemetry/self.js';
import { makeSpans } from '../../../core/testing/index.js';
import { stalled } from '../stalled.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A hand-off as the mcp receiver builds it: onto the counting consumer the engine gives a receiver. */
function setup(pipeline: Consumer<'traces'>, maxBatch?: number) {
  const telemetry = new SelfTelemetry();
  const lines: { level: number; msg: string; items?: number }[] = [];
  const logger = pino({}, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const handoff = new Handoff(telemetry.observeReceiver('mcp', 'traces', pipeline), logger, maxBatch);
  async function count(name: string): Promise<number> {
    const metrics = (await telemetry.collect()).scopeMetrics.flatMap((sm) => sm.metrics);
    return (metrics.find((m) => m.descriptor.name === name)?.dataPoints[0]?.value as number) ?? 0;
  }
  return { handoff, lines, count };
}

describe('Handoff', () => {
  it('keeps at most 8 batches unanswered, and refuses, counted and logged once, what the pipeline has no room for', async () => {
    const { next, batches, takeAll } = stalled<'traces'>();
    const { handoff, lines, count } = setup(next, 4);
    for (const span of makeSpans(72)) handoff.push(span); // 8 batches of 4 go; 40 held
    expect(batches).toHaveLength(8);
    await turn(); // the turn ends with the pipeline still silent: 32 (8 x 4) stay held, 8 are refused
    expect(await count('tributary_receiver_refused_items')).toBe(8);
    for (const span of makeSpans(3)) handoff.push(span);
    await turn();
    expect(await count('tributary_receiver_refused_items')).toBe(11);
    expect(lines.filter((l) => l.level === 40)).toEqual([expect.objectContaining({ items: 8 })]);

    takeAll(); // room again: what was held goes as one batch
    const drained = handoff.drain();
    await turn();
    takeAll();
    await drained;
    expect(batches.map((b) => b.length)).toEqual([4, 4, 4, 4, 4, 4, 4, 4, 32]);
    expect(await count('tributary_receiver_accepted_items')).toBe(64);
  });

  it('holds at most 64 batches of a synchronous burst while the pipeline is silent; the rest is refused and counted', async () => {
    const { next, batches } = stalled<'traces'>();
    const { handoff, count } = setup(next, 4);
    for (const span of makeSpans(1000)) handoff.push(span); // 8 x 4 go, 64 x 4 held, 712 refused
    expect(batches).toHaveLength(8);
    // Memory, not time: two million more in the same turn leave the heap as it was (held whole, the
    // references alone would take 16 MiB).
    const [span] = makeSpans(1);
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 2_000_000; i++) handoff.push(span as (typeof batches)[number][number]);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(4 * 1024 * 1024);
    await turn(); // the turn ends with the pipeline silent: of the 256 held, 32 (8 x 4) stay
    expect(await count('tributary_receiver_refused_items')).toBe(2_001_000 - 32 - 32);
  });

  it('takes a synchronous burst whole when the pipeline answers', async () => {
    const received: number[] = [];
    const { handoff, count } = setup({ consume: async (batch) => void received.push(batch.length) });
    for (const span of makeSpans(20_000)) handoff.push(span);
    await handoff.drain();
    expect(received.reduce((a, b) => a + b, 0)).toBe(20_000);
    expect(await count('tributary_receiver_refused_items')).toBe(0);
  });
});
