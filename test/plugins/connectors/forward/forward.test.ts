import { metrics } from '@opentelemetry/api';
import { LoggerProvider, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { pino } from 'pino';
import { container } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import type { Connector, Consumer } from '../../../../core/component.js';
import type { CreateContext } from '../../../../core/plugin.js';
import type { Batch, Signal } from '../../../../core/signals.js';
import forward from '../../../../plugins/connectors/forward/index.js';

function connector<S extends Signal>(signal: S, next: Consumer<S>): Connector<S> {
  const ctx: CreateContext<Record<string, never>> = {
    id: 'forward',
    kind: 'connector',
    type: 'forward',
    config: forward.config.parse({}),
    logger: pino({ level: 'silent' }),
    meter: metrics.getMeter('t'),
    container: container.createChildContainer(),
  };
  const create = forward.create[`${signal}->${signal}`] as (ctx: unknown, next: Consumer<S>) => Connector<S>;
  return create(ctx, next);
}

function recorder<S extends Signal>(): Consumer<S> & { batches: Batch<S>[] } {
  const batches: Batch<S>[] = [];
  return { batches, consume: async (b) => void batches.push(b) };
}

class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

describe('forward connector', () => {
  it('hands spans on unchanged', async () => {
    const spans: ReadableSpan[] = [];
    const provider = new BasicTracerProvider({
      spanProcessors: [
        { onStart() {}, onEnd: (s) => spans.push(s), forceFlush: async () => {}, shutdown: async () => {} },
      ],
    });
    provider.getTracer('t').startSpan('checkout').end();
    const next = recorder<'traces'>();
    const forwarder = connector('traces', next);
    await forwarder.start({} as never);

    await forwarder.consume(spans);
    expect(next.batches).toHaveLength(1);
    expect(next.batches[0]).toBe(spans);
    await forwarder.shutdown();
  });

  it('hands metrics on unchanged', async () => {
    const reader = new CollectingReader();
    const provider = new MeterProvider({ readers: [reader] });
    provider.getMeter('t').createCounter('requests').add(3);
    const { resourceMetrics } = await reader.collect();
    const batch: ResourceMetrics[] = [resourceMetrics];
    const next = recorder<'metrics'>();

    await connector('metrics', next).consume(batch);
    expect(next.batches[0]).toBe(batch);
    await provider.shutdown();
  });

  it('hands logs on unchanged and passes a refusal back', async () => {
    const records: ReadableLogRecord[] = [];
    const provider = new LoggerProvider({
      processors: [{ onEmit: (r) => records.push(r), forceFlush: async () => {}, shutdown: async () => {} }],
    });
    provider.getLogger('t').emit({ body: 'hello' });
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
