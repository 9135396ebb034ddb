import { describe, expect, it } from 'vitest';
import type { Connector, Consumer } from '../../../../core/component.js';
import type { Batch, Signal } from '../../../../core/signals.js';
import { makeLogs, makeMetrics, makeSpans, testContext } from '../../../../core/testing/index.js';
import forward from '../../../../plugins/connectors/forward/index.js';

function connector<S extends Signal>(signal: S, next: Consumer<S>): Connector<S> {
  const ctx = testContext(forward.config.parse({}), 'forward', { kind: 'connector' });
  const create = forward.create[`${signal}->${signal}`] as (ctx: unknown, next: Consumer<S>) => Connector<S>;
  return create(ctx, next);
}

function recorder<S extends Signal>(): Consumer<S> & { batches: Batch<S>[] } {
  const batches: Batch<S>[] = [];
  return { batches, consume: async (b) => void batches.push(b) };
}

describe('forward connector', () => {
  it('hands spans on unchanged', async () => {
    const spans = makeSpans(1, 'checkout');
    const next = recorder<'traces'>();
    const forwarder = connector('traces', next);
    await forwarder.start({} as never);

    await forwarder.consume(spans);
    expect(next.batches).toHaveLength(1);
    expect(next.batches[0]).toBe(spans);
    await forwarder.shutdown();
  });

  it('hands metrics on unchanged', async () => {
    const batch = await makeMetrics();
    const next = recorder<'metrics'>();

    await connector('metrics', next).consume(batch);
    expect(next.batches[0]).toBe(batch);
  });

  it('hands logs on unchanged and passes a refusal back', async () => {
    const records = makeLogs(['hello']);
    const next = recorder<'logs'>();

    await connector('logs', next).consume(records);
    expect(next.batches[0]).toBe(records);

    const refusing: Consumer<'logs'> = { consume: () => Promise.reject(new Error('full')) };
    await expect(connector('logs', refusing).consume(records)).rejects.toThrow('full');
  });

  it('has no settings', () => {
    expect(forward.config.parse({})).toEqual({});
    expect(forward.config.safeParse({ routes: [] }).error?.issues[0]?.code).toBe('unrecognized_keys');
    expect(Object.keys(forward.create)).toEqual(['traces->traces', 'metrics->metrics', 'logs->logs']);
  });
});
