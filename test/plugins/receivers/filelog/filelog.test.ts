// The filelog receiver in a real engine: files written by the test, records read by the sink, every
// line accounted for through rotation (rename and copytruncate), truncation, restarts and refusals.
import { appendFile, copyFile, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RetryableError } from '../../../../core/component.js';
import { parseConfigText } from '../../../../core/config/load.js';
import { Engine } from '../../../../core/engine.js';
import { TributaryErrors } from '../../../../core/errors.js';
import { definePlugin } from '../../../../core/plugin.js';
import { type RunningPipeline, startPipeline } from '../../../../core/testing/index.js';
import { builtins } from '../../../../plugins/index.js';

let dir: string;
let pipeline: RunningPipeline | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trb-filelog-'));
});
afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** A pipeline filelog -> sink with `options` in the receiver's config; checkpoints in `dir/state`. */
async function tail(options: string, extraPlugins: Parameters<typeof startPipeline>[1] = {}) {
  pipeline = await startPipeline(
    `extensions: { file_storage: { directory: "${dir}/state" } }
receivers:
  filelog: { poll_interval: 20ms, storage: file_storage, ${options} }
exporters: { sink: }
service:
  extensions: [file_storage]
  pipelines: { logs: { receivers: [filelog], exporters: [${extraPlugins.plugins ? 'refusing' : 'sink'}] } }
`,
    { plugins: [...builtins, ...(extraPlugins.plugins ?? [])] },
  );
  return pipeline;
}

const bodies = (p: RunningPipeline) => (p.recorded.items('logs') as ReadableLogRecord[]).map((r) => r.body);
const lines = (prefix: string, n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `${prefix} ${from + i}`);
const text = (ls: string[]) => `${ls.join('\n')}\n`;

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  await expect.poll(check, { timeout: timeoutMs, interval: 20, message: what }).toBe(true);
}

describe('filelog receiver', () => {
  it('start_at: end skips what is there; beginning reads it; lines appended later come once each', async () => {
    await writeFile(join(dir, 'old.log'), text(lines('old', 3)));
    await writeFile(join(dir, 'begin.log'), text(lines('begin', 2)));
    const p = await tail(`include: ["${dir}/old.log"], start_at: end`);
    await appendFile(join(dir, 'old.log'), text(lines('new', 2)));
    await until(() => bodies(p).length === 2, 'the two appended lines');
    expect(bodies(p)).toEqual(['new 0', 'new 1']);
    await p.shutdown();

    const q = await tail(`include: ["${dir}/begin.log"], start_at: beginning`);
    await until(() => bodies(q).length === 2, 'the lines already there');
    expect(bodies(q)).toEqual(['begin 0', 'begin 1']);
  });

  it("parses the guide's JSON log lines: attributes, UTC time, severity, file name", async () => {
    const line = {
      timestamp: '2026-12-07T10:11:12.345678',
      level: 'WARNING',
      message: 'tool slow',
      logger: 'mcp',
      tool_name: 'search',
      extra: { retries: 2, tags: ['a'] },
    };
    await writeFile(join(dir, 'mcp.log'), `${JSON.stringify(line)}\nnot json\n`);
    const p = await tail(
      `include: ["${dir}/*.log"], start_at: beginning, parser: { type: json }, timestamp: { parse_from: attributes.timestamp }, severity: { parse_from: attributes.level }`,
    );
    await until(() => bodies(p).length === 2, 'both records');
    const [parsed, unparsed] = p.recorded.items('logs') as ReadableLogRecord[];
    expect(parsed?.attributes).toEqual({ ...line, 'log.file.name': 'mcp.log' });
    expect(parsed?.hrTime).toEqual(
      [Date.parse('2026-12-07T10:11:12.345Z') / 1000, 345_000_000].map((v, i) =>
        i === 0 ? Math.floor(v as number) : v,
      ),
    );
    expect(parsed?.severityNumber).toBe(SeverityNumber.WARN);
    expect(parsed?.severityText).toBe('WARNING');
    // A line the parser cannot read is still handed on, as its text.
    expect(unparsed?.body).toBe('not json');
    expect(unparsed?.attributes).toEqual({ 'log.file.name': 'mcp.log' });
  });

  it('joins multi-line records and cuts records over max_log_size', async () => {
    const trace = ['2026-12-07 ERROR boom', '  at a (x.js:1)', '  at b (y.js:2)'];
    await writeFile(
      join(dir, 'app.log'),
      text([...trace, '2026-12-07 INFO ok', 'x'.repeat(100), '2026-12-07 INFO last']),
    );
    const p = await tail(
      `include: ["${dir}/app.log"], start_at: beginning, max_log_size: 64B, multiline: { line_start_pattern: "^\\\\d{4}-" }, parser: { type: regex, regex: "^(?<date>\\\\S+) (?<level>[A-Z]+)" }, severity: { parse_from: attributes.level }`,
    );
    // The last record waits for a line that starts the next, or for the file to go quiet.
    await until(() => bodies(p).length === 3, 'three records');
    expect(bodies(p)).toEqual([
      trace.join('\n'),
      `2026-12-07 INFO ok\n${'x'.repeat(100)}`.slice(0, 64),
      '2026-12-07 INFO last',
    ]);
    expect((p.recorded.items('logs') as ReadableLogRecord[]).map((r) => r.severityNumber)).toEqual([
      SeverityNumber.ERROR,
      SeverityNumber.INFO,
      SeverityNumber.INFO,
    ]);
  });

  it('follows rotation by rename: the old file is read to its end, the new one from its start', async () => {
    const log = join(dir, 'app.log');
    await writeFile(log, '');
    const p = await tail(`include: ["${dir}/*.log"], start_at: beginning`);
    const expected: string[] = [];
    for (let round = 0; round < 5; round++) {
      const batch = lines(`r${round}`, 50);
      await appendFile(log, text(batch.slice(0, 25)));
      // A poll has seen this file (a file renamed away before any poll saw it is not known to exist).
      await until(() => bodies(p).length >= expected.length + 25, 'the first half');
      // Written just before the rename: only the open descriptor still sees these.
      await appendFile(log, text(batch.slice(25)));
      await rename(log, join(dir, `app.${round}.old`));
      await writeFile(log, '');
      expected.push(...batch);
    }
    await expect
      .poll(() => bodies(p).length, { timeout: 10_000, interval: 20 })
      .toBeGreaterThanOrEqual(expected.length);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bodies(p)).toEqual(expected);
  });

  it('follows rotation by copytruncate: every line once, the copy read from where the file was', async () => {
    const log = join(dir, 'app.log');
    await writeFile(log, '');
    const p = await tail(`include: ["${dir}/app.log*"], start_at: beginning`);
    const expected: string[] = [];
    for (let round = 0; round < 4; round++) {
      const batch = lines(`c${round}`, 40);
      await appendFile(log, text(batch.slice(0, 20)));
      await until(() => bodies(p).length >= expected.length + 20, 'the first half');
      await appendFile(log, text(batch.slice(20)));
      await copyFile(log, join(dir, `app.log.${round}`));
      await truncate(log, 0);
      expected.push(...batch);
    }
    await appendFile(log, text(['after']));
    expected.push('after');
    await until(() => bodies(p).length >= expected.length, `${expected.length} lines`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([...bodies(p)].sort()).toEqual([...expected].sort());
  });

  it('reads lines once when a poll finds the copy before the file is truncated', async () => {
    const log = join(dir, 'app.log');
    await writeFile(log, text(lines('d', 20)));
    const p = await tail(`include: ["${dir}/app.log*"], start_at: beginning`);
    await until(() => bodies(p).length === 20, 'the first 20');
    // Appended, then copied; polls see the copy (the same lines) while the original is still whole.
    await appendFile(log, text(lines('d', 20, 20)));
    await copyFile(log, join(dir, 'app.log.1'));
    await until(() => bodies(p).length === 40, 'the next 20, once');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await truncate(log, 0);
    await appendFile(log, text(['after']));
    await until(() => bodies(p).length >= 41, 'the line after the truncation');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bodies(p)).toEqual([...lines('d', 40), 'after']);
  });

  it('restarts mid-file from its checkpoint: nothing lost, nothing repeated', async () => {
    const log = join(dir, 'app.log');
    await writeFile(log, text(lines('a', 100)));
    const first = await tail(`include: ["${log}"], start_at: beginning`);
    await until(() => bodies(first).length === 100, 'the first 100');
    await first.shutdown();
    await appendFile(log, text(lines('a', 100, 100)));
    // start_at: end does not apply: the checkpoint says where this file stands.
    const second = await tail(`include: ["${log}"], start_at: end`);
    await until(() => bodies(second).length === 100, 'the next 100');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([...bodies(first), ...bodies(second)]).toEqual(lines('a', 200));
  });

  it('reads more files than max_concurrent_files: each takes its turn, lines appended later too', async () => {
    const paths = Array.from({ length: 30 }, (_, i) => join(dir, `f${i}.log`));
    await Promise.all(paths.map((path, i) => writeFile(path, text(lines(`f${i}`, 2)))));
    const p = await tail(`include: ["${dir}/*.log"], start_at: beginning, max_concurrent_files: 4`);
    await until(() => bodies(p).length === 60, 'the lines of all 30 files');
    // Files read earlier and closed to make room go on from where they stood.
    await appendFile(paths[0] as string, text(lines('f0', 1, 2)));
    await appendFile(paths[29] as string, text(lines('f29', 1, 2)));
    await until(() => bodies(p).length === 62, 'the two appended lines');
    await p.shutdown();
    const expected = paths.flatMap((_, i) => lines(`f${i}`, i === 0 || i === 29 ? 3 : 2));
    expect([...bodies(p)].sort()).toEqual(expected.sort());
  });

  it('a file closed to make room and then rotated by rename goes on from where it stood', async () => {
    const paths = Array.from({ length: 4 }, (_, i) => join(dir, `f${i}.log`));
    await Promise.all(paths.map((path, i) => writeFile(path, text(lines(`f${i}`, 2)))));
    const p = await tail(`include: ["${dir}/*.log*"], start_at: beginning, max_concurrent_files: 2`);
    await until(() => bodies(p).length === 8, 'the lines of all 4 files');
    // f0 was read first and closed to make room for f2 and f3.
    await appendFile(paths[0] as string, text(lines('f0', 1, 2)));
    await rename(paths[0] as string, `${paths[0]}.1`);
    // Polls pass before the new file is there: f0's checkpoint must outlive its path meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 60));
    await writeFile(paths[0] as string, text(lines('new f0', 1)));
    await expect.poll(() => bodies(p).length, { timeout: 10_000, interval: 20 }).toBeGreaterThanOrEqual(10);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const expected = [...paths.flatMap((_, i) => lines(`f${i}`, i === 0 ? 3 : 2)), 'new f0 0'];
    expect([...bodies(p)].sort()).toEqual(expected.sort());
  });

  it('stops reading while the pipeline refuses, and loses nothing', async () => {
    let refusals = 5;
    const taken: string[] = [];
    const refusing = definePlugin({
      kind: 'exporter',
      type: 'refusing',
      stability: { logs: 'development' },
      config: z.strictObject({}).default({}),
      create: {
        logs: () => ({
          start: async () => {},
          shutdown: async () => {},
          consume: async (batch) => {
            if (refusals-- > 0) throw new RetryableError('full');
            for (const r of batch) taken.push(String(r.body));
          },
        }),
      },
    });
    const log = join(dir, 'app.log');
    await writeFile(log, text(lines('b', 30)));
    pipeline = await startPipeline(
      `receivers: { filelog: { include: ["${log}"], start_at: beginning, poll_interval: 20ms, max_batch_size: 10 } }
exporters: { refusing: }
service: { pipelines: { logs: { receivers: [filelog], exporters: [refusing] } } }
`,
      { plugins: [...builtins, refusing] },
    );
    await until(() => taken.length === 30, 'all 30 once the pipeline takes them');
    expect(taken).toEqual(lines('b', 30));
  });

  it('refuses sizes and intervals it could not work with, located, saying what is valid', async () => {
    const errorsOf = async (options: string) => {
      const yaml = `receivers: { filelog: { include: [a.log], ${options} } }
exporters: { stdout: }
service: { pipelines: { logs: { receivers: [filelog], exporters: [stdout] } } }
`;
      const engine = new Engine(parseConfigText(yaml, '/cfg/config.yaml', {}));
      for (const plugin of builtins) engine.use(plugin);
      return engine.validate().then(
        () => [],
        (err: unknown) =>
          err instanceof TributaryErrors ? err.errors.map((e) => e.format()) : [String(err)],
      );
    };
    // Each of these read nothing at all, silently, or failed every poll.
    expect(await errorsOf('fingerprint_size: 0B')).toEqual([
      '/cfg/config.yaml:1:61: TRB_CONFIG_BAD_SIZE receivers.filelog.fingerprint_size: fingerprint_size must be at least 1B: a file is known by its first bytes, e.g. "1KiB"',
    ]);
    for (const size of ['0B', '8GiB']) {
      expect(await errorsOf(`max_log_size: ${size}`)).toEqual([
        '/cfg/config.yaml:1:57: TRB_CONFIG_BAD_SIZE receivers.filelog.max_log_size: max_log_size must be between 1B and 64MiB (a read holds that much per file), e.g. "1MiB"',
      ]);
    }
    expect(await errorsOf('poll_interval: 0')).toEqual([
      '/cfg/config.yaml:1:58: TRB_CONFIG_BAD_DURATION receivers.filelog.poll_interval: an interval must be greater than 0, e.g. "10s"',
    ]);
  });
});
