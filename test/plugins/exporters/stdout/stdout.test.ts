import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CreateContext } from '../../../../core/plugin.js';
import { checkConformance, testContext, testHost } from '../../../../core/testing/index.js';
import stdout from '../../../../plugins/exporters/stdout/index.js';
import { StdoutSender } from '../../../../plugins/exporters/stdout/stdout-exporter.js';
import {
  makeLogs,
  makeMetrics,
  makeSpans,
  parseLines,
  parseOtlpLines,
} from '../../../core/encoding/telemetry.js';

function context(config: unknown, id = 'stdout'): CreateContext<ReturnType<typeof stdout.config.parse>> {
  return testContext(stdout.config.parse(config), id, { kind: 'exporter' });
}

const host = testHost();

const live = () => new AbortController().signal;

/** Collects what is written, one entry per write() call. */
function capture(): { stream: PassThrough; chunks: string[] } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return { stream, chunks };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('stdout exporter config', () => {
  it('defaults to stdout and json, with the shared exporter settings', () => {
    const config = stdout.config.parse({});
    expect(config).toMatchObject({ stream: 'stdout', encoding: 'json', timeout: 5000 });
    expect(config.sending_queue.queue_size).toBe(1000);
  });

  it('rejects unknown keys and streams', () => {
    expect(stdout.config.safeParse({ verbosity: 'detailed' }).success).toBe(false);
    expect(stdout.config.safeParse({ stream: 'stdlog' }).success).toBe(false);
  });
});

describe('stdout exporter', () => {
  it('meets the component contract for every signal', async () => {
    expect(await checkConformance(stdout)).toEqual(['traces', 'metrics', 'logs']);
  });

  it('writes each batch of spans, metric points and logs as complete JSON lines', async () => {
    const { stream, chunks } = capture();
    await new StdoutSender('traces', 'json', stream).send(makeSpans(), live());
    await new StdoutSender('metrics', 'json', stream).send(await makeMetrics(), live());
    await new StdoutSender('logs', 'json', stream).send(makeLogs(), live());
    expect(chunks).toHaveLength(3);
    const [spans, points, logs] = chunks.map(parseLines);
    expect(spans?.map((s) => s.name)).toEqual(['tool_execution_search', 'POST /mcp']);
    expect(points?.find((p) => p.type === 'histogram')?.buckets).toHaveLength(4);
    expect(logs?.[0]).toMatchObject({
      level: 'INFO',
      message: 'Tool execution started',
      logger: 'mcp.tools',
    });
  });

  it('writes OTLP/JSON requests with encoding: otlp_json', async () => {
    const { stream, chunks } = capture();
    await new StdoutSender('traces', 'otlp_json', stream).send(makeSpans(), live());
    const [request] = parseOtlpLines(chunks.join(''));
    expect(request?.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.name).toBe('tool_execution_search');
  });

  it('waits for drain under back-pressure and never interleaves concurrent batches', async () => {
    const received: string[] = [];
    let pending: (() => void) | undefined;
    // A slow reader: each write completes only when the test lets it.
    const slow = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _encoding, callback) {
        received.push(chunk.toString('utf8'));
        pending = callback;
      },
    });
    const spans = new StdoutSender('traces', 'json', slow);
    const logs = new StdoutSender('logs', 'json', slow);
    const sends = [
      spans.send(makeSpans(), live()),
      logs.send(makeLogs(), live()),
      spans.send(makeSpans(), live()),
    ];
    let settled = 0;
    for (const send of sends) void send.then(() => settled++);
    await new Promise((resolve) => setImmediate(resolve));
    // The first batch is in the stream, which is over its high-water mark: the others wait.
    expect(received).toHaveLength(1);
    expect(settled).toBe(0);
    for (let step = 0; step < 100 && (received.length < 3 || pending); step++) {
      const next = pending;
      pending = undefined;
      next?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(sends);
    expect(received).toHaveLength(3);
    const lines = received.map(parseLines);
    expect(lines.map((batch) => batch.length)).toEqual([2, 2, 2]);
    expect(lines[1]?.[0]).toHaveProperty('level', 'INFO');
  });

  it('writes nothing when the send was aborted before its turn', async () => {
    const { stream, chunks } = capture();
    const controller = new AbortController();
    controller.abort(new Error('timed out'));
    await expect(
      new StdoutSender('logs', 'json', stream).send(makeLogs(), controller.signal),
    ).rejects.toThrow('timed out');
    expect(chunks).toEqual([]);
  });

  it('reports a closed stream as TRB_EXPORTER_STDOUT_WRITE', async () => {
    const { stream } = capture();
    stream.destroy();
    const sent = new StdoutSender('logs', 'json', stream, 'stderr').send(makeLogs(), live());
    await expect(sent).rejects.toMatchObject({ code: 'TRB_EXPORTER_STDOUT_WRITE', message: /stderr/ });
  });

  it('runs as a plugin: stream stderr gets the lines through the exporter helper', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(Buffer.from(chunk).toString('utf8'));
      return true;
    });
    const exporter = stdout.create.logs?.(context({ stream: 'stderr' }, 'stdout/errors'));
    if (!exporter) throw new Error('stdout has no logs exporter');
    await exporter.start(host);
    await exporter.consume(makeLogs());
    await exporter.shutdown();
    vi.restoreAllMocks();
    const lines = parseLines(written.join(''));
    expect(lines.map((l) => l.message)).toEqual([
      'Tool execution started',
      expect.stringContaining('timeout'),
    ]);
  });
});
