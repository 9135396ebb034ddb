import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Meter } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CreateContext } from '../../../../core/plugin.js';
import { SelfTelemetry } from '../../../../core/telemetry/self.js';
import { checkConformance, startPipeline, testContext, testHost } from '../../../../core/testing/index.js';
import type { FileConfig } from '../../../../plugins/exporters/file/config.js';
import { FileSender } from '../../../../plugins/exporters/file/file-exporter.js';
import file from '../../../../plugins/exporters/file/index.js';
import {
  makeLogs,
  makeMetrics,
  makeSpans,
  parseLines,
  parseOtlpLines,
  plainLog,
} from '../../../core/encoding/telemetry.js';

const logger = pino({ level: 'silent' });

function context(config: unknown, meter?: Meter): CreateContext<FileConfig> {
  return testContext(file.config.parse(config), 'file', { kind: 'exporter', meter });
}

const live = () => new AbortController().signal;

/** A log record numbered `seq`, about 250 bytes as a JSON line. */
function numbered(seq: number): ReadableLogRecord {
  const [base] = makeLogs() as [ReadableLogRecord];
  return plainLog(base, { attributes: { seq, padding: 'x'.repeat(40) } });
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('file exporter config', () => {
  it('needs a path and defaults the rest', () => {
    expect(file.config.safeParse({}).success).toBe(false);
    const config = file.config.parse({ path: 'out.jsonl' });
    expect(config).toMatchObject({
      path: 'out.jsonl',
      encoding: 'json',
      rotation: { max_size: 100 * 1024 * 1024, max_backups: 5 },
      timeout: 5000,
    });
  });

  it('reads sizes with units and rejects unknown keys', () => {
    expect(file.config.parse({ path: 'a', rotation: { max_size: '1KiB' } }).rotation).toEqual({
      max_size: 1024,
      max_backups: 5,
    });
    expect(file.config.safeParse({ path: 'a', rotation: { max_size: '1 lots' } }).success).toBe(false);
    expect(file.config.safeParse({ path: 'a', rotation: { max_size: '0KiB' } }).success).toBe(false);
    expect(file.config.safeParse({ path: 'a', rotation: { max_files: 3 } }).success).toBe(false);
  });

  it('resolves a relative path against the working directory', () => {
    const sender = new FileSender('logs', file.config.parse({ path: 'telemetry/out.jsonl' }), logger);
    expect(sender.path).toBe(resolve(process.cwd(), 'telemetry/out.jsonl'));
  });
});

describe('file exporter', () => {
  it("ships a pipeline's logs to a file, configured in YAML", async () => {
    const path = join(dir, 'mcp-server.log');
    const pipeline = await startPipeline(
      `
receivers: { push: {} }
exporters:
  file:
    path: ${JSON.stringify(path)}
    rotation: { max_size: 10MiB, max_backups: 3 }
service:
  pipelines:
    logs: { receivers: [push], exporters: [file] }
`,
      { plugins: [file] },
    );
    await pipeline.push('logs', makeLogs());
    await pipeline.shutdown();
    const [first] = parseLines(await readFile(path, 'utf8'));
    expect(first).toMatchObject({ level: 'INFO', message: 'Tool execution started', tool_name: 'search' });
  });

  it('meets the component contract for every signal', async () => {
    const signals = await checkConformance(file, { config: { path: join(dir, 'conformance.jsonl') } });
    expect(signals).toEqual(['traces', 'metrics', 'logs']);
  });

  it('appends spans, metric points and logs of one component to one file, creating its directories', async () => {
    const path = join(dir, 'nested', 'deeper', 'telemetry.jsonl');
    await rm(join(dir, 'nested'), { recursive: true, force: true });
    const ctx = context({ path });
    const traces = file.create.traces?.(ctx);
    const points = file.create.metrics?.(ctx);
    const logs = file.create.logs?.(ctx);
    if (!traces || !points || !logs) throw new Error('file must export every signal');
    for (const exporter of [traces, points, logs]) await exporter.start(testHost());
    await Promise.all([
      traces.consume(makeSpans()),
      points.consume(await makeMetrics()),
      logs.consume(makeLogs()),
    ]);
    for (const exporter of [traces, points, logs]) await exporter.shutdown();

    const lines = parseLines(await readFile(path, 'utf8'));
    expect(lines).toHaveLength(2 + 4 + 2);
    expect(lines.filter((l) => 'parent_span_id' in l).map((l) => l.name)).toEqual([
      'tool_execution_search',
      'POST /mcp',
    ]);
    expect(lines.find((l) => l.type === 'histogram')).toMatchObject({
      name: 'mcp_request_duration_seconds',
      count: 5,
    });
    expect(lines.filter((l) => 'level' in l).map((l) => l.level)).toEqual(['INFO', 'ERROR']);
  });

  it('appends to what the file already holds', async () => {
    const path = join(dir, 'existing.jsonl');
    await writeFile(path, '{"earlier":true}\n');
    const sender = new FileSender('logs', file.config.parse({ path }), logger);
    await sender.send(makeLogs(), live());
    await sender.shutdown();
    const lines = parseLines(await readFile(path, 'utf8'));
    expect(lines[0]).toEqual({ earlier: true });
    expect(lines).toHaveLength(3);
  });

  it('writes OTLP/JSON requests with encoding: otlp_json', async () => {
    const path = join(dir, 'otlp.jsonl');
    const sender = new FileSender('traces', file.config.parse({ path, encoding: 'otlp_json' }), logger);
    await sender.send(makeSpans(), live());
    await sender.shutdown();
    const [request] = parseOtlpLines(await readFile(path, 'utf8'));
    expect(request?.resourceSpans[0]?.scopeSpans[0]?.spans.map((s) => s.name)).toEqual([
      'tool_execution_search',
      'POST /mcp',
    ]);
  });

  it('rotates at max_size between lines and keeps max_backups files', async () => {
    const path = join(dir, 'logs.jsonl');
    const config = file.config.parse({ path, rotation: { max_size: '1KiB', max_backups: 2 } });
    const sender = new FileSender('logs', config, logger);
    // 40 records in batches of 3: far more than three files of 1KiB hold.
    for (let seq = 0; seq < 40; seq += 3) {
      await sender.send([numbered(seq), numbered(seq + 1), numbered(seq + 2)], live());
    }
    await sender.shutdown();

    expect((await readdir(dir)).sort()).toEqual(['logs.jsonl', 'logs.jsonl.1', 'logs.jsonl.2']);
    const kept: number[] = [];
    for (const name of ['logs.jsonl.2', 'logs.jsonl.1', 'logs.jsonl']) {
      const text = await readFile(join(dir, name), 'utf8');
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024);
      for (const line of parseLines(text)) kept.push(line.seq as number);
    }
    // Oldest to newest across the backups, no line cut, nothing repeated, ending with the last one written.
    expect(kept.length).toBeGreaterThan(6);
    expect(kept.at(-1)).toBe(41);
    expect(kept).toEqual(kept.map((_, i) => (kept[0] as number) + i));
  });

  it('puts a line longer than max_size whole into a file of its own', async () => {
    const path = join(dir, 'big.jsonl');
    const sender = new FileSender(
      'logs',
      file.config.parse({ path, rotation: { max_size: '1KiB' } }),
      logger,
    );
    const [base] = makeLogs() as [ReadableLogRecord];
    await sender.send([numbered(1)], live());
    await sender.send([plainLog(base, { body: 'y'.repeat(3000) })], live());
    await sender.send([numbered(2)], live());
    await sender.shutdown();
    expect((await stat(join(dir, 'big.jsonl.1'))).size).toBeGreaterThan(3000);
    expect(parseLines(await readFile(join(dir, 'big.jsonl.2'), 'utf8'))[0]?.seq).toBe(1);
    expect(parseLines(await readFile(path, 'utf8'))[0]?.seq).toBe(2);
  });

  it('keeps no backups with max_backups: 0', async () => {
    const path = join(dir, 'only.jsonl');
    const config = file.config.parse({ path, rotation: { max_size: '1KiB', max_backups: 0 } });
    const sender = new FileSender('logs', config, logger);
    for (let seq = 0; seq < 12; seq++) await sender.send([numbered(seq)], live());
    await sender.shutdown();
    expect(await readdir(dir)).toEqual(['only.jsonl']);
    expect(parseLines(await readFile(path, 'utf8')).at(-1)?.seq).toBe(11);
  });

  it('reports an unwritable path as TRB_EXPORTER_FILE_WRITE naming the path', async () => {
    // A path under a regular file cannot be created, whoever runs the test (root ignores EACCES).
    const blocker = join(dir, 'not-a-directory');
    await writeFile(blocker, '');
    const path = join(blocker, 'out.jsonl');
    const sender = new FileSender('logs', file.config.parse({ path }), logger);
    const sent = sender.send(makeLogs(), live());
    await expect(sent).rejects.toMatchObject({ name: 'TributaryError', code: 'TRB_EXPORTER_FILE_WRITE' });
    await expect(sent).rejects.toThrow(path);
    await sender.shutdown();

    const directory = new FileSender('logs', file.config.parse({ path: dir }), logger);
    await expect(directory.send(makeLogs(), live())).rejects.toMatchObject({
      code: 'TRB_EXPORTER_FILE_WRITE',
      message: expect.stringContaining('EISDIR'),
    });
    await directory.shutdown();
  });

  it('refuses to start on a path it cannot write, and counts a batch it cannot write as failed', async () => {
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, '');
    const telemetry = new SelfTelemetry();
    const ctx = context(
      {
        path: join(blocker, 'out.jsonl'),
        retry_on_failure: { enabled: false },
        sending_queue: { enabled: false },
      },
      telemetry.meter,
    );
    const exporter = file.create.logs?.(ctx);
    if (!exporter) throw new Error('file has no logs exporter');
    await expect(exporter.start(testHost())).rejects.toMatchObject({ code: 'TRB_EXPORTER_FILE_WRITE' });
    await expect(exporter.consume(makeLogs())).rejects.toMatchObject({ code: 'TRB_EXPORTER_FILE_WRITE' });
    await exporter.shutdown();

    const resourceMetrics = await telemetry.collect();
    const failed = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'tributary_exporter_send_failed_items');
    expect(failed?.dataPoints[0]).toMatchObject({
      value: 2,
      attributes: { component: 'file', signal: 'logs' },
    });
    await telemetry.shutdown();
  });
});

describe('file exporter paths it cannot use: TRB_EXPORTER_FILE_WRITE at start, never a hang', () => {
  const pipeline = (path: string, receiver = 'push', signal = 'logs') => `
receivers: { ${receiver}: {} }
exporters:
  file: { path: ${JSON.stringify(path)} }
service:
  pipelines:
    ${signal}: { receivers: [${receiver}], exporters: [file] }
`;
  const startOn = (path: string) => startPipeline(pipeline(path), { plugins: [file] });
  const refused = (path: string, reason: string) => ({
    code: 'TRB_EXPORTER_FILE_WRITE',
    message: `exporter "file" failed to start: cannot open ${path}: ${reason}`,
    source: { path: 'exporters.file', line: 4, column: 3 },
  });

  it('a parent the file system will not create (under /proc)', async () => {
    // Node's own recursive mkdir loops forever here.
    const path = '/proc/tributary-test/out.jsonl';
    await expect(startOn(path)).rejects.toMatchObject(
      refused(path, 'this file system does not allow creating it (ENOENT)'),
    );
  });

  it('a file where a directory should be, and a directory where the file should be', async () => {
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, '');
    const path = join(blocker, 'logs', 'out.jsonl');
    await expect(startOn(path)).rejects.toMatchObject(
      refused(path, 'a parent of the path is not a directory (ENOTDIR)'),
    );
    await expect(startOn(dir)).rejects.toMatchObject(refused(dir, 'it is a directory (EISDIR)'));
  });

  it('a named pipe no process reads', async () => {
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    await expect(startOn(fifo)).rejects.toMatchObject(
      refused(fifo, 'it is a named pipe no process reads (ENXIO)'),
    );
  });

  it('a place even root may not write (/sys)', async () => {
    const path = '/sys/tributary-test.jsonl';
    await expect(startOn(path)).rejects.toMatchObject({
      code: 'TRB_EXPORTER_FILE_WRITE',
      message: expect.stringMatching(
        /cannot open \/sys\/tributary-test\.jsonl: (permission denied|read-only)/,
      ),
    });
  });

  it('a directory this user may not write (as root: without the capability to override permissions)', async () => {
    const CLI = join(import.meta.dirname, '../../../../dist/cli.js');
    await chmod(dir, 0o755);
    const readOnly = join(dir, 'read-only');
    await mkdir(readOnly);
    await chmod(readOnly, 0o555);
    const path = join(readOnly, 'out.jsonl');
    const config = join(dir, 'config.yaml');
    await writeFile(config, pipeline(path, 'selftelemetry', 'metrics'));
    await chmod(config, 0o644);
    // Root may write anywhere; util-linux's setpriv (in every Debian) drops that power for the child
    // while it stays root, so it can still run this Node wherever it is installed.
    const command = [process.execPath, CLI, 'run', '--config', config];
    const [file, ...args] =
      process.getuid?.() === 0
        ? ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', '--', ...command]
        : command;
    const run = spawnSync(file as string, args, { encoding: 'utf8', timeout: 15_000 });
    expect(run.stderr).toBe(
      `error: ${config}:4:3: TRB_EXPORTER_FILE_WRITE exporters.file: exporter "file" failed to start: cannot open ${path}: permission denied (EACCES); make the file and its directory writable by this process, or choose another path\n`,
    );
    expect(run.status).toBe(1);
  });
});
