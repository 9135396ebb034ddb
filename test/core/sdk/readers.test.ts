import { MeterProvider } from '@opentelemetry/sdk-metrics';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PipelineMetricReader } from '../../../core/sdk/readers.js';
import { stalled } from '../stalled.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('PipelineMetricReader', () => {
  it('never runs two exports at once: ticks while the pipeline makes one wait are skipped', async () => {
    vi.useFakeTimers();
    const { next, batches: exports, takeOne } = stalled<'metrics'>();
    const reader = new PipelineMetricReader(next, 1000, pino({ level: 'silent' }));
    const provider = new MeterProvider({ readers: [reader] });
    const requests = provider.getMeter('test').createCounter('requests');
    requests.add(1);

    await vi.advanceTimersByTimeAsync(10_500); // ten ticks; the first export is never answered
    expect(exports).toHaveLength(1);

    requests.add(2);
    takeOne();
    await vi.advanceTimersByTimeAsync(1000); // the next tick exports again, with what was recorded meanwhile
    expect(exports).toHaveLength(2);
    const points = exports[1]?.[0]?.scopeMetrics[0]?.metrics[0]?.dataPoints;
    expect(points?.map((p) => p.value)).toEqual([3]);

    // Shutdown waits for the export in flight, then exports once more.
    const stopped = provider.shutdown();
    takeOne();
    await vi.advanceTimersByTimeAsync(0);
    takeOne();
    await stopped;
    expect(exports).toHaveLength(3);
  });

  it('asked to flush many times while the pipeline makes an export wait, exports once more, not once per ask', async () => {
    const { next, batches: exports, takeAll } = stalled<'metrics'>();
    const reader = new PipelineMetricReader(next, 60_000, pino({ level: 'silent' }));
    const provider = new MeterProvider({ readers: [reader] });
    provider.getMeter('test').createCounter('requests').add(1);
    const turn = () => new Promise((resolve) => setImmediate(resolve));

    const first = reader.forceFlush();
    const scrapes = [reader.forceFlush(), reader.forceFlush(), reader.forceFlush()];
    await vi.waitFor(() => expect(exports).toHaveLength(1));
    takeAll();
    await first;
    // Take whatever the asks lead to, however many exports that is.
    for (let i = 0; i < 10; i++) {
      await turn();
      takeAll();
    }
    await Promise.all(scrapes);
    expect(exports).toHaveLength(2);
    const stopped = provider.shutdown();
    await vi.waitFor(() => expect(exports).toHaveLength(3));
    takeAll();
    await stopped;
  });
});
