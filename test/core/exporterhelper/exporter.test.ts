import type { Attributes } from '@opentelemetry/api';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Host, PermanentError, RetryableError } from '../../../core/component.js';
import { createExporter, exporterConfig, type Sender } from '../../../core/exporterhelper/index.js';
import type { Batch, Signal } from '../../../core/signals.js';
import { SelfTelemetry } from '../../../core/telemetry/self.js';
import { makeSpans, testContext, testHost } from '../../../core/testing/index.js';

type LogLine = { level: number; msg: string } & Record<string, unknown>;
const DEBUG = 20;
const INFO = 30;
const WARN = 40;
const ERROR = 50;

/** A CreateContext as the engine builds it, with the logs and self-metrics kept for assertions. */
function setup(config: unknown = {}, id = 'otlp') {
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const telemetry = new SelfTelemetry();
  const { meter } = telemetry;
  const ctx = testContext(exporterConfig({}).parse(config), id, { kind: 'exporter', logger, meter });
  const deadline = new AbortController();
  const host = testHost({ logger, meter, shutdownSignal: deadline.signal });
  /** The value a self-metric reports for this exporter, 0 when it has none. */
  async function metric(name: string, signal: Signal = 'traces'): Promise<number> {
    const resourceMetrics = await telemetry.collect();
    for (const sm of resourceMetrics.scopeMetrics) {
      for (const m of sm.metrics) {
        if (m.descriptor.name !== name) continue;
        for (const point of m.dataPoints) {
          const attributes = point.attributes as Attributes;
          if (attributes.component === id && attributes.signal === signal) return point.value as number;
        }
      }
    }
    return 0;
  }
  return { ctx, host, deadline, logs, metric };
}

interface Gate {
  promise: Promise<void>;
  open: () => void;
}
function gate(): Gate {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A backend stand-in: `behaviour` decides how each call goes (1-based), default success. */
class FakeBackend<S extends Signal = 'traces'> implements Sender<S> {
  readonly received: Batch<S>[] = [];
  readonly signals: AbortSignal[] = [];
  readonly events: string[] = [];
  calls = 0;
  active = 0;
  maxActive = 0;

  constructor(
    private readonly behaviour: (call: number, signal: AbortSignal) => Promise<void> | void = () => {},
  ) {}

  async send(batch: Batch<S>, signal: AbortSignal): Promise<void> {
    const call = ++this.calls;
    this.signals.push(signal);
    this.maxActive = Math.max(this.maxActive, ++this.active);
    try {
      await this.behaviour(call, signal);
      this.received.push(batch);
      this.events.push('sent');
    } finally {
      this.active--;
    }
  }

  async shutdown(): Promise<void> {
    this.events.push('shutdown');
  }
}

const fast = { initial_interval: '10ms', max_interval: '20ms' };

afterEach(() => {
  vi.useRealTimers();
});

describe('createExporter with the sending queue', () => {
  it('sends every batch and counts the items sent', async () => {
    const { ctx, host, metric } = setup();
    const backend = new FakeBackend();
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    await exporter.consume(makeSpans(2));
    await exporter.consume(makeSpans(3));
    await exporter.shutdown();
    expect(backend.received.map((b) => b.length)).toEqual([2, 3]);
    expect(await metric('tributary_exporter_sent_items')).toBe(5);
    expect(await metric('tributary_exporter_send_failed_items')).toBe(0);
    expect(await metric('tributary_exporter_dropped_items')).toBe(0);
  });

  it('retries a flaky backend until it takes the batch, which it gets once', async () => {
    const { ctx, host, logs, metric } = setup({ retry_on_failure: fast });
    const backend = new FakeBackend((call) => {
      if (call <= 3)
        throw call === 2 ? new Error('ECONNRESET') : new RetryableError('503 Service Unavailable');
    });
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    await exporter.consume(makeSpans(2));
    await exporter.shutdown();
    expect(backend.calls).toBe(4);
    expect(backend.received).toHaveLength(1);
    expect(logs.filter((l) => l.msg === 'send failed; will retry')).toHaveLength(1);
    expect(logs.find((l) => l.msg.startsWith('sends succeed again'))).toMatchObject({ failed_attempts: 3 });
    expect(await metric('tributary_exporter_sent_items')).toBe(2);
    expect(await metric('tributary_exporter_send_failed_items')).toBe(0);
  });

  it('gives up once max_elapsed_time has passed, and counts and logs the failure', async () => {
    const { ctx, host, logs, metric } = setup({ retry_on_failure: { ...fast, max_elapsed_time: '150ms' } });
    const backend = new FakeBackend(() => {
      throw new RetryableError('backend down');
    });
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    await exporter.consume(makeSpans(2));
    await exporter.shutdown();
    expect(backend.calls).toBeGreaterThan(1);
    expect(await metric('tributary_exporter_send_failed_items')).toBe(2);
    expect(await metric('tributary_exporter_sent_items')).toBe(0);
    const failure = logs.find((l) => l.level === ERROR);
    expect(failure).toMatchObject({ component: 'otlp', signal: 'traces', items: 2, error: 'backend down' });
    expect(failure?.msg).toMatch(/max_elapsed_time/);
  });

  it('waits at least the retryAfterMs a RetryableError carries before the next attempt', async () => {
    const { ctx, host, logs } = setup({ retry_on_failure: fast });
    const backend = new FakeBackend((call) => {
      if (call === 1) throw new RetryableError('429 Too Many Requests', { retryAfterMs: 300 });
    });
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    await exporter.consume(makeSpans(1));
    await exporter.shutdown();
    expect(backend.calls).toBe(2);
    expect(logs.find((l) => l.msg === 'send failed; will retry')).toMatchObject({
      retry_in_ms: 300,
      error: '429 Too Many Requests',
    });
  });

  it('does not retry a PermanentError', async () => {
    const { ctx, host, logs, metric } = setup({ retry_on_failure: fast });
    const backend = new FakeBackend(() => {
      throw new PermanentError('400 Bad Request: invalid span');
    });
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    await exporter.consume(makeSpans(3));
    await exporter.shutdown();
    expect(backend.calls).toBe(1);
    expect(await metric('tributary_exporter_send_failed_items')).toBe(3);
    expect(logs.filter((l) => l.level === ERROR)).toEqual([
      expect.objectContaining({ component: 'otlp', items: 3, error: '400 Bad Request: invalid span' }),
    ]);
  });

  it('does not retry when retry_on_failure is disabled', async () => {
    const { ctx, host, metric } = setup({ retry_on_failure: { enabled: false } });
    const backend = new FakeBackend(() => {
      throw new RetryableError('503');
    });
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    await exporter.consume(makeSpans(1));
    await exporter.shutdown();
    expect(backend.calls).toBe(1);
    expect(await metric('tributary_exporter_send_failed_items')).toBe(1);
  });

  it('with when_full: drop_newest, refuses and counts a batch that finds the queue full', async () => {
    const { ctx, host, logs, metric } = setup({
      sending_queue: { queue_size: 2, num_consumers: 1, when_full: 'drop_newest' },
    });
    const stuck = gate();
    const backend = new FakeBackend(() => stuck.promise);
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    await exporter.consume(makeSpans(1)); // taken at once by the only consumer, which then waits on the backend
    await exporter.consume(makeSpans(1));
    await exporter.consume(makeSpans(1));
    await expect(exporter.consume(makeSpans(4))).rejects.toThrow(RetryableError);
    await expect(exporter.consume(makeSpans(5))).rejects.toThrow(/^sending queue is full/);
    expect(await metric('tributary_exporter_refused_items')).toBe(9);
    expect(await metric('tributary_exporter_dropped_items')).toBe(0);
    expect(await metric('tributary_exporter_queue_size')).toBe(2);
    expect(await metric('tributary_exporter_queue_capacity')).toBe(2);
    expect(logs.filter((l) => l.level === WARN && /queue is full/.test(l.msg))).toHaveLength(1);
    stuck.open();
    await exporter.shutdown();
    expect(backend.received).toHaveLength(3);
    expect(await metric('tributary_exporter_sent_items')).toBe(3);
  });

  it('with when_full: block, makes consume() wait for room and loses nothing', async () => {
    const { ctx, host, metric } = setup({ sending_queue: { queue_size: 2, num_consumers: 1 } });
    const stuck = gate();
    const backend = new FakeBackend(() => stuck.promise);
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    for (let i = 0; i < 3; i++) await exporter.consume(makeSpans(1));
    let queued = false;
    const fourth = exporter.consume(makeSpans(1)).then(() => {
      queued = true;
    });
    await tick();
    expect(queued).toBe(false);
    stuck.open();
    await fourth;
    await exporter.shutdown();
    expect(backend.received).toHaveLength(4);
    expect(await metric('tributary_exporter_dropped_items')).toBe(0);
  });

  it('sends from at most num_consumers workers at once', async () => {
    const { ctx, host } = setup({ sending_queue: { num_consumers: 3 } });
    const stuck = gate();
    const backend = new FakeBackend(() => stuck.promise);
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    for (let i = 0; i < 10; i++) await exporter.consume(makeSpans(1));
    await vi.waitFor(() => expect(backend.active).toBe(3));
    await tick();
    expect(backend.maxActive).toBe(3);
    stuck.open();
    await exporter.shutdown();
    expect(backend.received).toHaveLength(10);
    expect(backend.maxActive).toBe(3);
  });

  it('aborts a send that outlives timeout and retries it', async () => {
    const { ctx, host, metric } = setup({ timeout: '20ms', retry_on_failure: fast });
    const reasons: unknown[] = [];
    const backend = new FakeBackend((call, signal) => {
      if (call > 1) return;
      return new Promise<void>((_, reject) => {
        signal.addEventListener('abort', () => {
          reasons.push(signal.reason);
          reject(signal.reason);
        });
      });
    });
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    await exporter.consume(makeSpans(1));
    await exporter.shutdown();
    expect(backend.calls).toBe(2);
    expect(reasons).toEqual([expect.objectContaining({ message: 'send timed out after 20ms' })]);
    expect(reasons[0]).toBeInstanceOf(RetryableError);
    expect(await metric('tributary_exporter_sent_items')).toBe(1);
  });

  it('frees the worker from a send that ignores its abort signal', async () => {
    const { ctx, host } = setup({
      timeout: '20ms',
      retry_on_failure: fast,
      sending_queue: { num_consumers: 1 },
    });
    const backend = new FakeBackend((call) => (call === 1 ? new Promise<void>(() => {}) : undefined));
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    await exporter.consume(makeSpans(1));
    await exporter.consume(makeSpans(1));
    await exporter.shutdown();
    expect(backend.received).toHaveLength(2);
    expect(backend.signals[0]?.aborted).toBe(true);
  });
});

describe('createExporter without the sending queue', () => {
  const direct = { sending_queue: { enabled: false }, retry_on_failure: fast };

  it('resolves consume() once the batch is sent', async () => {
    const { ctx, host, metric } = setup(direct);
    const backend = new FakeBackend((call) => {
      if (call === 1) throw new RetryableError('503');
    });
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    await exporter.consume(makeSpans(2));
    expect(backend.received).toHaveLength(1);
    expect(await metric('tributary_exporter_sent_items')).toBe(2);
    await exporter.shutdown();
  });

  it('rejects consume() with the PermanentError the backend threw', async () => {
    const { ctx, host, metric } = setup(direct);
    const error = new PermanentError('invalid');
    const exporter = createExporter(ctx, 'traces', new FakeBackend(() => Promise.reject(error)));
    await exporter.start(host);
    await expect(exporter.consume(makeSpans(2))).rejects.toBe(error);
    expect(await metric('tributary_exporter_send_failed_items')).toBe(2);
    await exporter.shutdown();
  });

  it('rejects consume() with a RetryableError once retries run out: the caller may send it again', async () => {
    const { ctx, host, metric } = setup({
      ...direct,
      retry_on_failure: { ...fast, max_elapsed_time: '50ms' },
    });
    const exporter = createExporter(
      ctx,
      'traces',
      new FakeBackend(() => Promise.reject(new Error('ECONNREFUSED'))),
    );
    await exporter.start(host);
    const outcome = exporter.consume(makeSpans(1));
    await expect(outcome).rejects.toThrow(RetryableError);
    await expect(outcome).rejects.toThrow(/gave up after \d+ attempts: ECONNREFUSED/);
    expect(await metric('tributary_exporter_send_failed_items')).toBe(1);
    await exporter.shutdown();
  });

  it('waits at shutdown for sends in flight', async () => {
    const { ctx, host } = setup(direct);
    const slow = gate();
    const backend = new FakeBackend(() => slow.promise);
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    const sending = exporter.consume(makeSpans(1));
    const stopped = exporter.shutdown();
    await tick();
    expect(backend.events).toEqual([]);
    slow.open();
    await Promise.all([sending, stopped]);
    expect(backend.events).toEqual(['sent', 'shutdown']);
  });
});

describe('shutdown', () => {
  it('drains every queued batch, then shuts the sender down', async () => {
    const { ctx, host } = setup({ sending_queue: { num_consumers: 2 } });
    const backend = new FakeBackend(() => new Promise<void>((resolve) => setTimeout(resolve, 2)));
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    for (let i = 0; i < 20; i++) await exporter.consume(makeSpans(1));
    await exporter.shutdown();
    expect(backend.received).toHaveLength(20);
    expect(backend.events.at(-1)).toBe('shutdown');
  });

  it('refuses batches afterwards with a PermanentError and counts them refused', async () => {
    const { ctx, host, metric } = setup();
    const exporter = createExporter(ctx, 'traces', new FakeBackend());
    await exporter.start(host);
    await exporter.shutdown();
    await expect(exporter.consume(makeSpans(3))).rejects.toThrow(PermanentError);
    await expect(exporter.consume(makeSpans(1))).rejects.toThrow('exporter otlp is shut down');
    expect(await metric('tributary_exporter_refused_items')).toBe(4);
    expect(await metric('tributary_exporter_dropped_items')).toBe(0);
  });

  it('stops at once when shutdownSignal aborts, counting what is left as dropped', async () => {
    const { ctx, host, deadline, logs, metric } = setup({ sending_queue: { num_consumers: 1 } });
    // A backend that hangs and ignores its abort signal: shutdown must not wait for it.
    const backend = new FakeBackend(() => new Promise<void>(() => {}));
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    for (let i = 0; i < 3; i++) await exporter.consume(makeSpans(2));
    const stopped = exporter.shutdown();
    await tick();
    deadline.abort();
    await stopped;
    expect(backend.signals[0]?.aborted).toBe(true);
    expect(backend.events).toEqual(['shutdown']);
    expect(await metric('tributary_exporter_dropped_items')).toBe(6);
    expect(await metric('tributary_exporter_send_failed_items')).toBe(0);
    // The engine's closing line reports the loss; the exporter's own line is the detail, at debug.
    expect(logs.filter((l) => l.level >= WARN)).toEqual([]);
    const details = logs.filter((l) => l.level === DEBUG && /dropping/.test(String(l.msg)));
    expect(details).toEqual([expect.objectContaining({ component: 'otlp', items: 6, batches: 3 })]);
    expect(details[0]?.msg).toMatch(/dropping 6 items/);
  });

  it('drops at once when shutdownSignal has already aborted, including batches waiting for room', async () => {
    const { ctx, host, deadline, metric } = setup({ sending_queue: { queue_size: 1, num_consumers: 1 } });
    const exporter = createExporter(ctx, 'traces', new FakeBackend(() => new Promise<void>(() => {})));
    await exporter.start(host);
    await exporter.consume(makeSpans(1));
    await exporter.consume(makeSpans(1));
    const waiting = exporter.consume(makeSpans(1));
    deadline.abort();
    await exporter.shutdown();
    await expect(waiting).rejects.toThrow(PermanentError);
    expect(await metric('tributary_exporter_dropped_items')).toBe(3);
  });

  it('cuts backoff waits short on the deadline and leaves no timers behind', async () => {
    vi.useFakeTimers();
    const { ctx, host, deadline, metric } = setup({
      retry_on_failure: { initial_interval: '1h', max_interval: '1h', max_elapsed_time: 0 },
    });
    const backend = new FakeBackend(() => {
      throw new RetryableError('503');
    });
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    await exporter.consume(makeSpans(2));
    await vi.advanceTimersByTimeAsync(0);
    expect(backend.calls).toBe(1);
    expect(vi.getTimerCount()).toBe(1); // the backoff wait
    const stopped = exporter.shutdown();
    deadline.abort();
    await stopped;
    expect(vi.getTimerCount()).toBe(0);
    expect(backend.calls).toBe(1);
    expect(await metric('tributary_exporter_dropped_items')).toBe(2);
  });

  it('leaves no timers behind after a normal drain', async () => {
    vi.useFakeTimers();
    const { ctx, host } = setup({ retry_on_failure: { initial_interval: '1s' } });
    const backend = new FakeBackend((call) => {
      if (call === 1) throw new RetryableError('503');
    });
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    await exporter.consume(makeSpans(1));
    await exporter.consume(makeSpans(1));
    const stopped = exporter.shutdown();
    await vi.runAllTimersAsync();
    await stopped;
    expect(backend.received).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is idempotent and safe without start()', async () => {
    const { ctx } = setup();
    const backend = new FakeBackend();
    const exporter = createExporter(ctx, 'traces', backend);
    await Promise.all([exporter.shutdown(), exporter.shutdown()]);
    await exporter.shutdown();
    expect(backend.events).toEqual(['shutdown']);
  });

  it('counts batches queued before a start() that never came as dropped', async () => {
    const { ctx, logs, metric } = setup();
    const exporter = createExporter(ctx, 'traces', new FakeBackend());
    await exporter.consume(makeSpans(4));
    await exporter.shutdown();
    expect(await metric('tributary_exporter_dropped_items')).toBe(4);
    expect(logs.find((l) => l.level === DEBUG)?.msg).toMatch(/before it started: dropping 4 items/);
  });
});

describe('a backend that is down', () => {
  it('logs one warning when sends start failing and one line with the counts when they succeed again', async () => {
    const { ctx, host, logs, metric } = setup({
      retry_on_failure: fast,
      sending_queue: { num_consumers: 3 },
    });
    const backend = new FakeBackend((call) => {
      if (call <= 12) throw new RetryableError('503 Service Unavailable');
    });
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    for (const n of [1, 2, 3]) await exporter.consume(makeSpans(n));
    await exporter.shutdown();

    expect(await metric('tributary_exporter_sent_items')).toBe(6);
    const lines = logs.filter((l) => l.level >= INFO);
    expect(lines).toEqual([
      expect.objectContaining({ level: WARN, error: '503 Service Unavailable', attempt: 1 }),
      expect.objectContaining({ level: INFO, failed_attempts: 12, items: 6 }),
    ]);
    expect(lines[0]?.msg).toBe('send failed; will retry');
    expect(lines[1]?.msg).toBe('sends succeed again (12 attempts failed, for 6 items)');
  });

  it('logs each outage once: a second outage gets its own pair of lines', async () => {
    const { ctx, host, logs } = setup({ retry_on_failure: fast, sending_queue: { num_consumers: 1 } });
    const down = new Set([1, 2, 4, 5, 6]);
    const backend = new FakeBackend((call) => {
      if (down.has(call)) throw new Error('ECONNREFUSED');
    });
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    await exporter.consume(makeSpans(1)); // calls 1, 2 fail, 3 succeeds
    await vi.waitFor(() => expect(backend.received).toHaveLength(1));
    await exporter.consume(makeSpans(2)); // calls 4, 5, 6 fail, 7 succeeds
    await exporter.shutdown();

    expect(logs.filter((l) => l.level >= INFO).map((l) => [l.level, l.failed_attempts, l.items])).toEqual([
      [WARN, undefined, 1],
      [INFO, 2, 1],
      [WARN, undefined, 2],
      [INFO, 3, 2],
    ]);
  });

  it('says at shutdown how many attempts failed when the backend never came back', async () => {
    const { ctx, host, deadline, logs, metric } = setup({ retry_on_failure: fast });
    const backend = new FakeBackend(() => {
      throw new RetryableError('503');
    });
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    await exporter.consume(makeSpans(2));
    await vi.waitFor(() => expect(backend.calls).toBeGreaterThanOrEqual(3));
    const stopped = exporter.shutdown();
    deadline.abort();
    await stopped;

    // One warning when the outage began; the loss itself is the engine's closing line to report.
    expect(logs.filter((l) => l.level >= WARN).map((l) => l.msg)).toEqual(['send failed; will retry']);
    const last = logs.filter((l) => l.level === INFO).at(-1);
    expect(last?.msg).toMatch(/^shut down while sends were failing \(\d+ attempts failed, for 2 items\)$/);
    expect(last?.failed_attempts).toBe(backend.calls);
    expect(await metric('tributary_exporter_dropped_items')).toBe(2);
  });
});

describe('a backend that stays down past max_elapsed_time', () => {
  it('logs the first batch given up; the others are counted in the line that ends the outage', async () => {
    const { ctx, host, logs, metric } = setup({
      retry_on_failure: { ...fast, max_elapsed_time: '50ms' },
      sending_queue: { num_consumers: 1 },
    });
    let down = true;
    const backend = new FakeBackend(() => {
      if (down) throw new RetryableError('503 Service Unavailable');
    });
    const exporter = createExporter(ctx, 'traces', backend);
    await exporter.start(host);
    for (const n of [1, 2, 3]) await exporter.consume(makeSpans(n));
    await vi.waitFor(() => expect(metric('tributary_exporter_send_failed_items')).resolves.toBe(6));
    down = false;
    await exporter.consume(makeSpans(4));
    await exporter.shutdown();

    expect(await metric('tributary_exporter_sent_items')).toBe(4);
    const lines = logs.filter((l) => l.level >= INFO);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [WARN, 'send failed; will retry'],
      [ERROR, 'send failed (retry_on_failure.max_elapsed_time passed): batch not sent'],
      [
        INFO,
        expect.stringMatching(/^sends succeed again \(\d+ attempts failed, for 6 items; 6 items given up\)$/),
      ],
    ]);
    expect(lines[2]).toMatchObject({ items: 6, given_up_items: 6 });
  });
});

describe("status reported to the engine (what health_check's /ready shows)", () => {
  /** The host, recording each status the exporter reports as [status, error message]. */
  function reporting(host: Host) {
    const statuses: [string, string | undefined][] = [];
    return {
      statuses,
      host: { ...host, reportStatus: (s: string, e?: Error) => void statuses.push([s, e?.message]) },
    };
  }

  it('reports recoverable_error with the error when sends start failing, and ok once one succeeds', async () => {
    const setupped = setup({ retry_on_failure: fast, sending_queue: { num_consumers: 1 } });
    const { host, statuses } = reporting(setupped.host);
    const backend = new FakeBackend((call) => {
      if (call <= 3) throw new RetryableError('503 Service Unavailable');
    });
    const exporter = createExporter(setupped.ctx, 'traces', backend);
    await exporter.start(host);
    await exporter.consume(makeSpans(1));
    await vi.waitFor(() => expect(backend.received).toHaveLength(1));
    await exporter.consume(makeSpans(1));
    await vi.waitFor(() => expect(backend.received).toHaveLength(2));

    expect(statuses).toEqual([
      ['recoverable_error', '503 Service Unavailable'],
      ['ok', undefined],
    ]);
    await exporter.shutdown();
  });

  it('reports a failing backend with retries disabled too, and each failure spell once', async () => {
    const setupped = setup({ retry_on_failure: { enabled: false }, sending_queue: { enabled: false } });
    const { host, statuses } = reporting(setupped.host);
    const down = new Set([2, 3, 5]);
    const backend = new FakeBackend((call) => {
      if (down.has(call)) throw new Error('ECONNREFUSED');
    });
    const exporter = createExporter(setupped.ctx, 'traces', backend);
    await exporter.start(host);
    for (let call = 1; call <= 6; call++) await exporter.consume(makeSpans(1)).catch(() => {});

    expect(statuses).toEqual([
      ['recoverable_error', 'ECONNREFUSED'],
      ['ok', undefined],
      ['recoverable_error', 'ECONNREFUSED'],
      ['ok', undefined],
    ]);
    await exporter.shutdown();
  });

  it('reports nothing once shutting down: the engine reports stopping and stopped', async () => {
    const setupped = setup({ retry_on_failure: fast });
    const { host, statuses } = reporting(setupped.host);
    let down = true;
    const backend = new FakeBackend(() => {
      if (down) throw new RetryableError('503');
    });
    const exporter = createExporter(setupped.ctx, 'traces', backend);
    await exporter.start(host);
    await exporter.consume(makeSpans(1));
    await vi.waitFor(() => expect(statuses).toHaveLength(1));
    const stopped = exporter.shutdown();
    down = false;
    await stopped;

    expect(backend.received).toHaveLength(1);
    expect(statuses).toEqual([['recoverable_error', '503']]);
  });
});

describe('self-telemetry', () => {
  it('counts metric data points as items, under the component and signal', async () => {
    const { ctx, host, metric } = setup({}, 'prometheus');
    const backend = new FakeBackend<'metrics'>();
    const exporter = createExporter(ctx, 'metrics', backend);
    await exporter.start(host);
    const batch = [
      { scopeMetrics: [{ metrics: [{ dataPoints: [{}, {}, {}] }, { dataPoints: [{}] }] }] },
    ] as unknown as ResourceMetrics[];
    await exporter.consume(batch);
    await exporter.shutdown();
    expect(await metric('tributary_exporter_sent_items', 'metrics')).toBe(4);
  });

  it('makes its instruments once, not per batch', async () => {
    const { ctx, host } = setup();
    const createCounter = vi.spyOn(ctx.meter, 'createCounter');
    const exporter = createExporter(ctx, 'traces', new FakeBackend());
    await exporter.start(host);
    for (let i = 0; i < 5; i++) await exporter.consume(makeSpans(1));
    await exporter.shutdown();
    expect(createCounter).toHaveBeenCalledTimes(4);
  });

  it('reports the items taken and not yet sent: queued, being sent or retried, or waiting for room', async () => {
    const { ctx, host, metric } = setup({ sending_queue: { queue_size: 1, num_consumers: 1 } });
    const stuck = gate();
    const exporter = createExporter(ctx, 'traces', new FakeBackend(() => stuck.promise));
    await exporter.start(host);
    await exporter.consume(makeSpans(2)); // being sent
    await exporter.consume(makeSpans(3)); // queued
    const waiting = exporter.consume(makeSpans(4)); // waiting for room
    expect(await metric('tributary_exporter_queued_items')).toBe(9);
    stuck.open();
    await waiting;
    await vi.waitFor(async () => expect(await metric('tributary_exporter_sent_items')).toBe(9));
    expect(await metric('tributary_exporter_queued_items')).toBe(0);
    await exporter.shutdown();
  });

  it('reports the queue size and capacity in batches', async () => {
    const { ctx, host, metric } = setup({ sending_queue: { queue_size: 50 } });
    const exporter = createExporter(ctx, 'traces', new FakeBackend());
    expect(await metric('tributary_exporter_queue_capacity')).toBe(50);
    await exporter.consume(makeSpans(3));
    await exporter.consume(makeSpans(1));
    expect(await metric('tributary_exporter_queue_size')).toBe(2);
    await exporter.start(host);
    await exporter.shutdown();
  });
});
