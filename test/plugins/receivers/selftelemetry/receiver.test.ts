// The selftelemetry receiver is collected on its interval and on every scrape of a pull exporter:
// with a pipeline that makes a collection wait, those must not pile up exports.
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { container } from '../../../../core/container.js';
import type { CreateContext } from '../../../../core/plugin.js';
import { MetricSources } from '../../../../core/sdk/metric-sources.js';
import { SelfTelemetry } from '../../../../core/telemetry/self.js';
import { SelfTelemetryReceiver } from '../../../../plugins/receivers/selftelemetry/receiver.js';
import { stalled } from '../../../core/stalled.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('selftelemetry receiver', () => {
  it('never runs two exports at once, whether an interval or a scrape asks', async () => {
    vi.useFakeTimers();
    const telemetry = new SelfTelemetry();
    telemetry.observeReceiver('push', 'traces', { consume: async () => {} });
    const sources = new MetricSources();
    const scoped = container.createChildContainer();
    scoped.register(SelfTelemetry, { useValue: telemetry });
    scoped.register(MetricSources, { useValue: sources });
    const { next, batches, takeAll } = stalled<'metrics'>();
    const ctx = {
      id: 'selftelemetry',
      config: { collection_interval: 1000 },
      logger: pino({ level: 'silent' }),
      container: scoped,
    } as unknown as CreateContext<{ collection_interval: number }>;
    const receiver = new SelfTelemetryReceiver(ctx, next);
    await receiver.start();

    await vi.advanceTimersByTimeAsync(1000); // the interval's export, never answered
    expect(batches).toHaveLength(1);
    for (let scrape = 0; scrape < 3; scrape++) {
      void sources.collect();
      await vi.advanceTimersByTimeAsync(600); // each scrape gives up waiting after 500 ms
    }
    expect(batches).toHaveLength(1);

    const stopped = receiver.shutdown();
    for (let i = 0; i < 5 && batches.length < 10; i++) {
      takeAll();
      await vi.advanceTimersByTimeAsync(0);
    }
    takeAll();
    await stopped;
    await telemetry.shutdown();
  });
});
