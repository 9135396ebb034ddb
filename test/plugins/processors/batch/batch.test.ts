import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { DataPointType, type ResourceMetrics, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Consumer, Processor } from '../../../../core/component.js';
import type { CreateContext } from '../../../../core/plugin.js';
import { type Batch, countItems, type Signal } from '../../../../core/signals.js';
import { SelfTelemetry } from '../../../../core/telemetry/self.js';
import { makeLogs, makeSpans, recordMetrics, testContext } from '../../../../core/testing/index.js';
import batch from '../../../../plugins/processors/batch/index.js';
import { stalled } from '../../../core/stalled.js';

// --- real telemetry, made with the OpenTelemetry JS SDK --------------------------------------------

/** `log-0` … `log-<count - 1>`. */
const messages = (count: number) => Array.from({ length: count }, (_, i) => `log-${i}`);

/** Two scopes, three metrics, 12 data points: requests{route} x5, latency{route} x3, queue_depth{queue} x4. */
async function serviceMetrics(service: string): Promise<ResourceMetrics> {
  const [resourceMetrics] = await recordMetrics(
    (provider) => {
      const http = provider.getMeter('http');
      const requests = http.createCounter('requests');
      for (let i = 0; i < 5; i++) requests.add(i + 1, { route: `/r${i}` });
      const latency = http.createHistogram('latency', { unit: 'ms' });
      for (let i = 0; i < 3; i++) latency.record(10 * (i + 1), { route: `/r${i}` });
      const queue = provider.getMeter('queue');
      queue.createObservableGauge('queue_depth').addCallback((result) => {
        for (let i = 0; i < 4; i++) result.observe(i, { queue: `q${i}` });
      });
    },
    { resource: resourceFromAttributes({ 'service.name': service }) },
  );
  return resourceMetrics as ResourceMetrics;
}

/** Every data point as `service/scope/metric{attributes}`, in order: what must survive any split. */
function pointKeys(batch: ResourceMetrics[]): string[] {
  const keys: string[] = [];
  for (const rm of batch) {
    const service = rm.resource.attributes['service.name'];
    for (const sm of rm.scopeMetrics) {
      for (const m of sm.metrics) {
        const metric = `${service}/${sm.scope.name}/${m.descriptor.name}`;
        for (const p of m.dataPoints) keys.push(`${metric}${JSON.stringify(p.attributes)}`);
      }
    }
  }
  return keys;
}

// --- a processor built the way the engine builds it ----------------------------------------------

interface Recorded<S extends Signal> extends Consumer<S> {
  batches: Batch<S>[];
}

function recorder<S extends Signal>(): Recorded<S> {
  const batches: Batch<S>[] = [];
  return { batches, consume: async (b) => void batches.push(b) };
}

function create<S extends Signal>(
  signal: S,
  config: Record<string, unknown>,
  next: Consumer<S>,
  options: { lines?: Record<string, unknown>[]; raw?: string[]; meter?: CreateContext['meter'] } = {},
): Processor<S> {
  const lines = options.lines ?? [];
  const write = (line: string) => {
    lines.push(JSON.parse(line));
    options.raw?.push(line);
  };
  // Bound as the engine binds a component's logger.
  const logger = pino({ level: 'info' }, { write }).child({
    component: 'batch/test',
    kind: 'processor',
    signal,
  });
  const ctx = testContext(batch.config.parse(config), 'batch/test', {
    kind: 'processor',
    logger,
    meter: options.meter,
    pipeline: `${signal}/test`,
  });
  const factory = batch.create[signal] as (ctx: unknown, next: Consumer<S>) => Processor<S>;
  return factory(ctx, next);
}

const open: Processor[] = [];
function track<S extends Signal>(processor: Processor<S>): Processor<S> {
  open.push(processor as unknown as Processor);
  return processor;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.shutdown()));
  vi.useRealTimers();
});

// --- behaviour -------------------------------------------------------------------------------------

describe('batch processor', () => {
  it('holds spans until send_batch_size is reached, then sends everything held as one batch', async () => {
    const next = recorder<'traces'>();
    const processor = track(create('traces', { send_batch_size: 10, timeout: '1h' }, next));
    const spans = makeSpans(12);

    await processor.consume(spans.slice(0, 4));
    await processor.consume(spans.slice(4, 8));
    expect(next.batches).toHaveLength(0);

    await processor.consume(spans.slice(8));
    expect(next.batches).toHaveLength(1);
    expect(next.batches[0]).toEqual(spans);
  });

  it('sends a partial batch once the timeout passes', async () => {
    const next = recorder<'logs'>();
    const processor = track(create('logs', { send_batch_size: 100, timeout: '20ms' }, next));
    const logs = makeLogs(messages(3));

    await processor.consume(logs);
    expect(next.batches).toHaveLength(0);

    await vi.waitFor(() => expect(next.batches).toHaveLength(1));
    expect(next.batches[0]?.map((r) => r.body)).toEqual(['log-0', 'log-1', 'log-2']);
  });

  it('splits at send_batch_max_size, delivering every item exactly once and in order', async () => {
    const next = recorder<'traces'>();
    const processor = track(
      create('traces', { send_batch_size: 10, send_batch_max_size: 10, timeout: '1h' }, next),
    );
    const spans = makeSpans(57);

    await processor.consume(spans.slice(0, 3));
    await processor.consume(spans.slice(3, 40));
    // 40 held: four full batches go out, one after the other as each is taken; nothing waits.
    await vi.waitFor(() => expect(next.batches.map((b) => b.length)).toEqual([10, 10, 10, 10]));

    await processor.consume(spans.slice(40));
    // 17 more: one full batch goes out and 7 wait for more data or the timer.
    await vi.waitFor(() => expect(next.batches.map((b) => b.length)).toEqual([10, 10, 10, 10, 10]));

    await processor.shutdown();
    expect(next.batches.map((b) => b.length)).toEqual([10, 10, 10, 10, 10, 7]);
    const delivered = next.batches.flat();
    expect(delivered).toHaveLength(57);
    expect(new Set(delivered).size).toBe(57);
    expect(delivered.map((s) => s.name)).toEqual(spans.map((s) => s.name));
  });

  it('splits metrics by data point, keeping each point under its resource, scope and metric', async () => {
    const next = recorder<'metrics'>();
    const processor = track(
      create('metrics', { send_batch_size: 5, send_batch_max_size: 5, timeout: '1h' }, next),
    );
    const first = await serviceMetrics('api');
    const second = await serviceMetrics('worker');
    const input = [first, second];
    const expected = pointKeys(input);
    expect(expected).toHaveLength(24);

    await processor.consume([first]);
    await processor.consume([second]);
    await processor.shutdown();

    expect(next.batches.map((b) => countItems('metrics', b))).toEqual([5, 5, 5, 5, 4]);
    expect(next.batches.flatMap(pointKeys)).toEqual(expected);

    const originals = new Map<string, SumMetricData>();
    const descriptors = new Set<unknown>();
    for (const rm of input) {
      for (const sm of rm.scopeMetrics) {
        for (const m of sm.metrics) {
          originals.set(m.descriptor.name, m as SumMetricData);
          descriptors.add(m.descriptor);
        }
      }
    }
    for (const sent of next.batches) {
      for (const rm of sent) {
        expect([first.resource, second.resource]).toContain(rm.resource);
        for (const sm of rm.scopeMetrics) {
          expect(sm.metrics.length).toBeGreaterThan(0);
          for (const m of sm.metrics) {
            const original = originals.get(m.descriptor.name) as SumMetricData;
            expect(descriptors.has(m.descriptor)).toBe(true);
            expect(m.dataPointType).toBe(original.dataPointType);
            expect(m.aggregationTemporality).toBe(original.aggregationTemporality);
            if (m.dataPointType === DataPointType.SUM) expect(m.isMonotonic).toBe(true);
          }
        }
      }
    }
    // The received batches were not changed: splitting builds new containers.
    expect(countItems('metrics', [first])).toBe(12);
    expect(countItems('metrics', [second])).toBe(12);
  });

  it('splits metrics correctly at every cut point', async () => {
    const input = [await serviceMetrics('api'), await serviceMetrics('worker')];
    const expected = pointKeys(input);
    for (const max of [1, 2, 3, 5, 7, 8, 11, 12, 13, 23, 24, 25]) {
      const next = recorder<'metrics'>();
      const processor = create(
        'metrics',
        { send_batch_size: max, send_batch_max_size: max, timeout: '1h' },
        next,
      );
      for (const rm of input) await processor.consume([rm]);
      await processor.shutdown();

      expect(next.batches.flatMap(pointKeys), `max ${max}`).toEqual(expected);
      for (const sent of next.batches) {
        expect(countItems('metrics', sent)).toBeLessThanOrEqual(max);
        for (const rm of sent) {
          expect(rm.scopeMetrics.length).toBeGreaterThan(0);
          for (const sm of rm.scopeMetrics)
            expect(sm.metrics.every((m) => m.dataPoints.length > 0)).toBe(true);
        }
      }
    }
    expect(input.map((rm) => countItems('metrics', [rm]))).toEqual([12, 12]);
  });

  it('sends everything held on shutdown and waits for the sends to finish', async () => {
    const delivered: ReadableLogRecord[][] = [];
    const slow: Consumer<'logs'> = {
      consume: (b) => new Promise((resolve) => setTimeout(() => resolve(void delivered.push(b)), 30)),
    };
    const processor = create('logs', { send_batch_size: 1000, timeout: '1h' }, slow);
    const logs = makeLogs(messages(7));

    await processor.consume(logs);
    expect(delivered).toHaveLength(0);
    await processor.shutdown();
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toEqual(logs);
  });

  it('accepts a batch without waiting for the next consumer', async () => {
    let release: () => void = () => {};
    const blocked: Consumer<'traces'> = {
      consume: () => new Promise<void>((resolve) => (release = resolve)),
    };
    const processor = create('traces', { send_batch_size: 2, timeout: '1h' }, blocked);

    await expect(processor.consume(makeSpans(2))).resolves.toBeUndefined();
    let stopped = false;
    const stopping = processor.shutdown().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stopped).toBe(true);
  });

  it('with timeout 0 sends every batch at once, holding nothing', async () => {
    const next = recorder<'traces'>();
    const processor = track(create('traces', { timeout: 0, send_batch_max_size: 8192 }, next));
    const spans = makeSpans(3);

    await processor.consume(spans);
    expect(next.batches).toEqual([spans]);
  });

  it('leaves no timer behind after shutdown, and shutdown is safe twice and without start', async () => {
    vi.useFakeTimers();
    const next = recorder<'traces'>();
    const processor = create('traces', { send_batch_size: 100, timeout: '5s' }, next);

    await processor.consume(makeSpans(3));
    expect(vi.getTimerCount()).toBe(1);
    await processor.consume(makeSpans(3));
    expect(vi.getTimerCount()).toBe(1);

    await processor.shutdown();
    await processor.shutdown();
    expect(vi.getTimerCount()).toBe(0);
    expect(next.batches.map((b) => b.length)).toEqual([6]);
  });

  it('logs and counts a batch the next consumer refuses', async () => {
    const telemetry = new SelfTelemetry();
    const lines: Record<string, unknown>[] = [];
    const raw: string[] = [];
    const refusing: Consumer<'traces'> = { consume: async () => Promise.reject(new Error('exporter down')) };
    const processor = create('traces', { send_batch_size: 4, timeout: '1h' }, refusing, {
      lines,
      raw,
      meter: telemetry.meter,
    });

    await processor.consume(makeSpans(5));
    await processor.shutdown();

    const warning = lines.find((l) => l.level === 40);
    expect(warning).toMatchObject({ component: 'batch/test', signal: 'traces', items: 5 });
    expect(warning?.err).toMatchObject({ message: 'exporter down' });
    // Each key once in the JSON line (a duplicate key is invalid for many log shippers).
    for (const line of raw) expect(line.split('"component":').length, line).toBe(2);

    const resourceMetrics = await telemetry.collect();
    const failed = resourceMetrics.scopeMetrics
      .flatMap((sm) => sm.metrics)
      .find((m) => m.descriptor.name === 'tributary_processor_batch_send_failed_items');
    expect(failed?.dataPoints.map((p) => [p.value, p.attributes])).toEqual([
      [5, { component: 'batch/test', signal: 'traces', pipeline: 'traces/test' }],
    ]);
    await telemetry.shutdown();
  });
});

const settled = (p: Promise<void>) =>
  p.then(
    () => 'accepted',
    (err: Error) => `refused: ${err.constructor.name}`,
  );
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('batch processor with a next consumer that makes it wait', () => {
  it('hands on one batch at a time and holds at most max_held_items; past that consume() waits for room', async () => {
    const { next, batches, takeOne } = stalled<'traces'>();
    const processor = track(create('traces', { send_batch_size: 2, timeout: '1h', max_held_items: 4 }, next));

    await processor.consume(makeSpans(2, 'a')); // sent, not taken
    await processor.consume(makeSpans(2, 'b')); // held until `a` is taken: 4 held
    const outcomes: string[] = [];
    const third = settled(processor.consume(makeSpans(2, 'c'))).then((o) => void outcomes.push(o));
    await turn();
    expect(outcomes).toEqual([]); // waiting for room
    expect(batches.map((b) => b[0]?.name)).toEqual(['a-0']);

    takeOne(); // `a` taken: `b` goes, `c` gets in
    await third;
    expect(outcomes).toEqual(['accepted']);
    expect(batches.map((b) => b[0]?.name)).toEqual(['a-0', 'b-0']);
    takeOne();
    await vi.waitFor(() => expect(batches.map((b) => b[0]?.name)).toEqual(['a-0', 'b-0', 'c-0']));
    takeOne();
  });

  it('refuses with a RetryableError once as many items wait as may be held, and counts and logs it once', async () => {
    const telemetry = new SelfTelemetry();
    const lines: Record<string, unknown>[] = [];
    const { next, takeOne } = stalled<'traces'>();
    const processor = create('traces', { send_batch_size: 2, timeout: '1h', max_held_items: 4 }, next, {
      lines,
      meter: telemetry.meter,
    });

    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => {
        const outcome = settled(processor.consume(makeSpans(2, `s${i}`)));
        return i < 4 ? Promise.resolve('pending') : outcome; // two held, two wait, two refused
      }),
    );
    expect(outcomes.slice(4)).toEqual(['refused: RetryableError', 'refused: RetryableError']);
    await expect(processor.consume(makeSpans(1))).rejects.toThrow(
      /^batch processor batch\/test is full: 4 items held and 4 waiting for room \(max_held_items 4\); 1 items refused$/,
    );

    const refused = (await telemetry.collect()).scopeMetrics
      .flatMap((sm) => sm.metrics)
      .find((m) => m.descriptor.name === 'tributary_processor_batch_refused_items');
    expect(refused?.dataPoints.map((p) => p.value)).toEqual([5]);
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1);

    // Everything it took is sent at shutdown, the batches that waited included.
    const stopped = processor.shutdown();
    for (let i = 0; i < 4; i++) {
      await turn();
      takeOne();
    }
    await stopped;
    await telemetry.shutdown();
  });

  it('at shutdown, sends the batches that waited for room once there is room', async () => {
    const { next, batches, takeOne } = stalled<'logs'>();
    const processor = create('logs', { send_batch_size: 3, timeout: '1h', max_held_items: 3 }, next);
    await processor.consume(makeLogs(messages(3)));
    const waiting = processor.consume(makeLogs(['late']));
    const stopped = processor.shutdown();
    await turn();
    expect(batches).toHaveLength(1);
    takeOne();
    await waiting;
    await vi.waitFor(() => expect(batches).toHaveLength(2));
    takeOne();
    await stopped;
    expect(batches.map((b) => b.map((r) => r.body))).toEqual([['log-0', 'log-1', 'log-2'], ['late']]);
  });
});

describe('batch config', () => {
  it('defaults every key', () => {
    expect(batch.config.parse({})).toEqual({
      send_batch_size: 8192,
      timeout: 200,
      send_batch_max_size: 0,
      wait_for_result: false,
      max_held_items: 32768,
    });
  });

  it('refuses max_held_items below a batch, saying what is valid', () => {
    const result = batch.config.safeParse({
      send_batch_size: 100,
      send_batch_max_size: 200,
      max_held_items: 150,
    });
    expect(result.error?.issues).toMatchObject([
      {
        path: ['max_held_items'],
        message: 'max_held_items (150) must be at least send_batch_size (100) and send_batch_max_size (200)',
      },
    ]);
  });

  it('refuses send_batch_max_size below send_batch_size, saying what is valid', () => {
    const result = batch.config.safeParse({ send_batch_size: 100, send_batch_max_size: 50 });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toMatchObject([
      {
        path: ['send_batch_max_size'],
        message: 'send_batch_max_size (50) must be 0 (no upper bound) or at least send_batch_size (100)',
      },
    ]);
  });

  it('refuses unknown keys and bad durations', () => {
    expect(batch.config.safeParse({ send_batch_sise: 10 }).error?.issues[0]?.code).toBe('unrecognized_keys');
    expect(batch.config.safeParse({ timeout: '200' }).error?.issues[0]?.message).toMatch(
      /invalid duration "200"/,
    );
  });
});

describe('batch with wait_for_result', () => {
  /** A next consumer that takes or refuses each batch when the test says so. */
  function gated() {
    const batches: Batch<'traces'>[] = [];
    const answers: { take: () => void; refuse: (err: Error) => void }[] = [];
    const next: Consumer<'traces'> = {
      consume: (b) =>
        new Promise((take, refuse) => {
          batches.push(b);
          answers.push({ take, refuse });
        }),
    };
    return { next, batches, answers };
  }
  const settled = (promise: Promise<void>) => {
    const state = { value: 'pending' as string };
    promise.then(
      () => (state.value = 'resolved'),
      (err: Error) => (state.value = `rejected: ${err.message}`),
    );
    return state;
  };
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  it('answers each caller once the batch carrying its items was taken, not when it is held', async () => {
    const { next, batches, answers } = gated();
    const processor = create('traces', { send_batch_size: 4, timeout: '10s', wait_for_result: true }, next);
    const first = settled(processor.consume(makeSpans(3)));
    await turn();
    expect(first.value).toBe('pending'); // held, below send_batch_size
    const second = settled(processor.consume(makeSpans(3)));
    await turn();
    expect(batches.map((b) => b.length)).toEqual([6]);
    expect([first.value, second.value]).toEqual(['pending', 'pending']); // handed on, not yet taken
    answers[0]?.take();
    await turn();
    expect([first.value, second.value]).toEqual(['resolved', 'resolved']);
    await processor.shutdown();
  });

  it('rejects every caller with an item in a refused batch, with the next consumer error', async () => {
    const { next, batches, answers } = gated();
    const processor = create(
      'traces',
      { send_batch_size: 4, send_batch_max_size: 4, timeout: '10s', wait_for_result: true },
      next,
    );
    const a = settled(processor.consume(makeSpans(3))); // items 0-2
    const b = settled(processor.consume(makeSpans(3))); // items 3-5: split over the first two batches
    await turn();
    expect(batches.map((x) => x.length)).toEqual([4]);
    answers[0]?.refuse(new Error('sending queue is full'));
    await turn();
    expect(a.value).toBe('rejected: sending queue is full');
    expect(b.value).toBe('pending'); // its last items are still held
    const shutdown = processor.shutdown();
    await turn();
    expect(batches.map((x) => x.length)).toEqual([4, 2]);
    answers[1]?.take();
    await shutdown;
    // b's first item was in the refused batch: its sender must send it again.
    expect(b.value).toBe('rejected: sending queue is full');
  });

  it('answers at once without it, as before', async () => {
    const { next } = gated();
    const processor = create('traces', { send_batch_size: 4, timeout: '10s' }, next);
    const held = settled(processor.consume(makeSpans(3)));
    await turn();
    expect(held.value).toBe('resolved');
  });
});
