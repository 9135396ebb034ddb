import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Attributes } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type Exporter, type Host, PermanentError, RetryableError } from '../../../core/component.js';
import { TributaryError } from '../../../core/errors.js';
import { createExporter, exporterConfig, type Sender } from '../../../core/exporterhelper/index.js';
import { SelfTelemetry } from '../../../core/telemetry/self.js';
import { makeLogs, makeMetrics, makeSpans, testContext, testHost } from '../../../core/testing/index.js';
import { FileStorageConfig } from '../../../plugins/extensions/file_storage/config.js';
import { FileStorageExtension } from '../../../plugins/extensions/file_storage/extension.js';

type LogLine = { level: number; msg: string } & Record<string, unknown>;

const dirs: string[] = [];
const running: { shutdown(): Promise<void> }[] = [];
afterEach(async () => {
  for (const component of running.splice(0).reverse()) await component.shutdown();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A backend that is up or down, and can hold a send forever (to stop the run while it is in flight). */
class Backend implements Sender<'traces'> {
  readonly received: string[][] = [];
  up = true;
  hang = false;
  calls = 0;

  async send(batch: ReadableSpan[]): Promise<void> {
    this.calls++;
    if (this.hang) return new Promise(() => {});
    if (!this.up) throw new RetryableError('connect ECONNREFUSED 127.0.0.1:4318');
    this.received.push(batch.map((span) => span.name));
  }
}

/**
 * One run of the engine's pieces: a file_storage extension on `dir` and an exporter whose queue is
 * kept there. `stop()` shuts down with the drain deadline already passed; a test that means a kill -9
 * simply starts the next run on the same directory without stopping this one.
 */
async function run(dir: string, backend: Backend, queue: Record<string, unknown> = {}, storage = {}) {
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const telemetry = new SelfTelemetry();
  const { meter } = telemetry;
  const extension = new FileStorageExtension(
    testContext(FileStorageConfig.parse({ directory: dir, ...storage }), 'file_storage', {
      kind: 'extension',
      logger,
    }),
  );
  const config = exporterConfig({}).parse({
    retry_on_failure: { initial_interval: '10ms', max_interval: '20ms', max_elapsed_time: 0 },
    sending_queue: { storage: 'file_storage', num_consumers: 1, ...queue },
  });
  const deadline = new AbortController();
  const host: Host = {
    ...testHost({ logger, meter, shutdownSignal: deadline.signal }),
    getExtension: <T>(id: string) => (id === 'file_storage' ? (extension as T) : undefined),
  };
  await extension.start(host);
  const exporter: Exporter<'traces'> = createExporter(
    testContext(config, 'otlp', { kind: 'exporter', logger, meter }),
    'traces',
    backend,
  );
  await exporter.start(host);
  async function metric(name: string): Promise<number> {
    for (const sm of (await telemetry.collect()).scopeMetrics) {
      for (const m of sm.metrics) {
        if (m.descriptor.name !== name) continue;
        const point = m.dataPoints.find((p) => (p.attributes as Attributes).component === 'otlp');
        if (point) return point.value as number;
      }
    }
    return 0;
  }
  async function stop(): Promise<void> {
    deadline.abort();
    await exporter.shutdown();
    await extension.shutdown();
  }
  running.push({ shutdown: stop });
  return { exporter, extension, logs, metric, stop };
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'trb-queue-'));
  dirs.push(dir);
  return dir;
}

/** Two spans named `batch <n>-0` and `batch <n>-1`. */
const spans = (batch: number) => makeSpans(2, `batch ${batch}`);
const until = async (done: () => boolean | Promise<boolean>) => {
  while (!(await done())) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('the persistent sending queue (sending_queue.storage)', () => {
  it('keeps what the backend did not take across a restart and sends it, in order, after the restart', async () => {
    const dir = await tempDir();
    const down = new Backend();
    down.up = false;
    const first = await run(dir, down);
    for (let i = 1; i <= 5; i++) await first.exporter.consume(spans(i));
    await first.stop();
    expect(await first.metric('tributary_exporter_dropped_items')).toBe(0);
    expect(
      first.logs.some((l) => /10 items not yet sent stay in storage for the next start/.test(l.msg)),
    ).toBe(true);

    const up = new Backend();
    const second = await run(dir, up);
    await until(() => up.received.length === 5);
    expect(up.received.map((names) => names[0])).toEqual([
      'batch 1-0',
      'batch 2-0',
      'batch 3-0',
      'batch 4-0',
      'batch 5-0',
    ]);
    expect(await second.metric('tributary_exporter_queue_recovered_items')).toBe(10);
    expect(await second.metric('tributary_exporter_sent_items')).toBe(10);
    expect(
      second.logs.find((l) => l.msg.startsWith('sending 10 items (5 batches) left in storage')),
    ).toBeDefined();
    // Sent batches are deleted: a third run finds nothing to send.
    await second.stop();
    const third = await run(dir, new Backend());
    expect(await third.metric('tributary_exporter_queue_recovered_items')).toBe(0);
  });

  it('counts the batch that was being sent when the run died as redelivered, and sends it again', async () => {
    const dir = await tempDir();
    const hanging = new Backend();
    hanging.hang = true;
    const first = await run(dir, hanging);
    await first.exporter.consume(spans(1));
    await first.exporter.consume(spans(2));
    await until(() => hanging.calls === 1);
    // No shutdown: the process is gone as after a kill -9.

    const up = new Backend();
    const second = await run(dir, up);
    await until(() => up.received.length === 2);
    expect(up.received.map((names) => names[0])).toEqual(['batch 1-0', 'batch 2-0']);
    expect(await second.metric('tributary_exporter_queue_recovered_items')).toBe(4);
    expect(await second.metric('tributary_exporter_queue_redelivered_items')).toBe(2);
    expect(
      second.logs.some((l) => /2 of them were being sent when it stopped and may arrive twice/.test(l.msg)),
    ).toBe(true);
  });

  it('holds at most queue_size batches in storage: with when_full block the next one waits for room', async () => {
    const dir = await tempDir();
    const backend = new Backend();
    backend.hang = true;
    const { exporter, extension } = await run(dir, backend, { queue_size: 2 });
    await exporter.consume(spans(1)); // taken by the one worker, which hangs
    await until(() => backend.calls === 1);
    await exporter.consume(spans(2));
    await exporter.consume(spans(3));
    let fourth = 'waiting';
    // Still waiting when the test ends: the shutdown refuses it (handled, not an unhandled rejection).
    void exporter.consume(spans(4)).then(
      () => (fourth = 'stored'),
      () => (fourth = 'refused at shutdown'),
    );
    const client = await extension.getClient('otlp', 'traces');
    expect((await client.keys('item/')).length).toBe(3); // the one being sent, and two queued
    expect(fourth).toBe('waiting');
    await client.close();
  });

  it('sends thousands of stored batches in the order they came', async () => {
    const dir = await tempDir();
    const backend = new Backend();
    backend.up = false;
    const first = await run(dir, backend, { queue_size: 5000 }, { fsync: 'never' });
    for (let i = 0; i < 3000; i++) await first.exporter.consume(makeSpans(1, `batch ${i}`));
    await first.stop();

    const up = new Backend();
    await run(dir, up, { queue_size: 5000 }, { fsync: 'never' });
    await until(() => up.received.length === 3000);
    expect(up.received.map((names) => names[0])).toEqual(
      Array.from({ length: 3000 }, (_, i) => `batch ${i}-0`),
    );
  });

  it('refuses a batch it cannot store with the storage error, counts it, and keeps running', async () => {
    const dir = await tempDir();
    const backend = new Backend();
    backend.up = false;
    const { exporter, logs, metric } = await run(dir, backend, { queue_size: 100 }, { max_size: '2KiB' });
    const outcomes: unknown[] = [];
    for (let i = 1; i <= 6; i++) outcomes.push(await exporter.consume(spans(i)).catch((err: unknown) => err));
    const refused = outcomes.filter((outcome) => outcome instanceof RetryableError) as RetryableError[];
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.message).toMatch(
      /cannot store the batch: TRB_STORAGE_FULL extensions\.file_storage\.max_size/,
    );
    expect(await metric('tributary_exporter_refused_items')).toBe(refused.length * 2);
    // Logged once for the spell, not per batch.
    expect(
      logs.filter((l) => l.msg.startsWith('cannot store batches in the persistent sending queue')),
    ).toHaveLength(1);
    backend.up = true;
    await until(() => backend.received.length === 6 - refused.length);
    await exporter.consume(spans(7));
    await until(() => backend.received.length === 7 - refused.length);
    expect(logs.some((l) => l.msg.startsWith('the persistent sending queue stores batches again'))).toBe(
      true,
    );
  });

  it('gives back metrics and logs after a restart as they were handed in: names, values, attributes, resource', async () => {
    const dir = await tempDir();
    const metrics = await makeMetrics('requests', ['a', 'b']);
    const logs = makeLogs(['started', 'stopped'], { 'mcp.method': 'tools/call' });
    const received: { metrics: unknown[]; logs: unknown[] } = { metrics: [], logs: [] };
    const down = { send: async () => Promise.reject(new RetryableError('down')) };
    const queueConfig = exporterConfig({}).parse({
      retry_on_failure: { initial_interval: '10ms', max_interval: '20ms', max_elapsed_time: 0 },
      sending_queue: { storage: 'file_storage' },
    });
    /** One run: the extension, and an exporter of each signal on it. */
    const start = async (up: boolean) => {
      const extension = new FileStorageExtension(
        testContext(FileStorageConfig.parse({ directory: dir }), 'file_storage', { kind: 'extension' }),
      );
      const deadline = new AbortController();
      const host: Host = {
        ...testHost({ shutdownSignal: deadline.signal }),
        getExtension: <T>() => extension as T,
      };
      await extension.start(host);
      const metricsOut = createExporter(
        testContext(queueConfig, 'otlp', { kind: 'exporter' }),
        'metrics',
        up ? { send: async (batch) => void received.metrics.push(...batch) } : down,
      );
      const logsOut = createExporter(
        testContext(queueConfig, 'otlp', { kind: 'exporter' }),
        'logs',
        up ? { send: async (batch) => void received.logs.push(...batch) } : down,
      );
      await metricsOut.start(host);
      await logsOut.start(host);
      const stop = async () => {
        deadline.abort();
        await Promise.all([metricsOut.shutdown(), logsOut.shutdown()]);
        await extension.shutdown();
      };
      running.push({ shutdown: stop });
      return { metricsOut, logsOut, stop };
    };
    const first = await start(false);
    await first.metricsOut.consume(metrics);
    await first.logsOut.consume(logs);
    await first.stop();

    await start(true);
    await until(() => received.metrics.length === 1 && received.logs.length === 2);
    const [resourceMetrics] = received.metrics as ResourceMetrics[];
    const sum = resourceMetrics?.scopeMetrics[0]?.metrics[0];
    expect(sum?.descriptor.name).toBe('requests');
    expect(sum?.dataPoints.map((p) => [p.attributes.series, p.value])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(resourceMetrics?.resource.attributes['service.name']).toBe(
      metrics[0]?.resource.attributes['service.name'],
    );
    const records = received.logs as ReadableLogRecord[];
    expect(records.map((r) => [r.body, r.severityText, r.attributes['mcp.method']])).toEqual([
      ['started', 'INFO', 'tools/call'],
      ['stopped', 'INFO', 'tools/call'],
    ]);
  });

  it('refuses a batch it cannot encode as bad data (a PermanentError: not to be sent again), and goes on', async () => {
    const dir = await tempDir();
    const backend = new Backend();
    const { exporter, metric } = await run(dir, backend);
    const broken = [{ name: 'no span context' }] as unknown as ReadableSpan[];
    const refused = await exporter.consume(broken).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(PermanentError);
    expect((refused as Error).message).toMatch(/cannot store the batch: cannot encode the batch to store it/);
    expect(await metric('tributary_exporter_refused_items')).toBe(1);
    await exporter.consume(spans(1));
    await until(() => backend.received.length === 1);
  });

  it('fails to start with TRB_EXPORTER_STORAGE_NOT_FOUND when the storage extension is not running', async () => {
    const config = exporterConfig({}).parse({ sending_queue: { storage: 'file_storage/missing' } });
    const exporter = createExporter(
      testContext(config, 'otlp', { kind: 'exporter' }),
      'traces',
      new Backend(),
    );
    running.push(exporter);
    const err = await exporter.start(testHost()).catch((e: unknown) => e);
    expect((err as TributaryError).format()).toBe(
      'TRB_EXPORTER_STORAGE_NOT_FOUND exporters.otlp.sending_queue.storage: sending_queue.storage names "file_storage/missing", which is not a running storage extension; define it under extensions (e.g. file_storage: { directory: ./data }) and list "file_storage/missing" in service.extensions',
    );
    expect(err).toBeInstanceOf(TributaryError);
  });

  it('rejects storage on a disabled queue in the config', () => {
    const parsed = exporterConfig({}).safeParse({
      sending_queue: { enabled: false, storage: 'file_storage' },
    });
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ['sending_queue', 'storage'],
      message: 'storage needs the sending queue: remove storage, or set enabled: true',
    });
  });
});
