// The two kinds of JSON lines a user reads on stderr, the engine's diagnostics and the log records of
// the `stdout` exporter, share the monitoring guide's layout.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../core/telemetry/logger.js';
import { makeLogs } from '../../../core/testing/index.js';
import { StdoutSender } from '../../../plugins/exporters/stdout/stdout-exporter.js';

const GUIDE_KEYS = ['timestamp', 'level', 'message', 'logger'];
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

type Line = Record<string, unknown>;
const parse = (chunks: string[]): Line[] =>
  chunks
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

async function diagnostics(): Promise<Line[]> {
  const written: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void written.push(line) });
  logger.child({ component: 'jaeger', signal: 'traces' }).warn({ items: 2 }, 'send failed; will retry');
  logger.info('Everything is ready. Begin running and processing data.');
  logger.debug('a detail');
  logger.error({ err: new Error('boom') }, 'exporter "otlp" failed to shut down');
  return parse(written);
}

async function requestLogs(): Promise<Line[]> {
  const stream = new PassThrough();
  const written: string[] = [];
  stream.on('data', (chunk: Buffer) => void written.push(chunk.toString('utf8')));
  const sender = new StdoutSender('logs', 'json', stream, 'stderr');
  await sender.send(makeLogs(['Request started', 'Request completed']), new AbortController().signal);
  return parse(written);
}

describe("the engine's diagnostics and the stdout exporter's log lines", () => {
  it('both carry timestamp, level, message and logger', async () => {
    const lines = [...(await diagnostics()), ...(await requestLogs())];
    expect(lines).toHaveLength(6);
    for (const line of lines) expect(Object.keys(line)).toEqual(expect.arrayContaining(GUIDE_KEYS));
    expect(
      lines.map((l) => typeof l.timestamp === 'string' && !Number.isNaN(Date.parse(l.timestamp))),
    ).toEqual(lines.map(() => true));
  });

  it('write the level in upper case, in the same words', async () => {
    expect((await diagnostics()).map((l) => l.level)).toEqual(['WARN', 'INFO', 'DEBUG', 'ERROR']);
    expect((await requestLogs()).map((l) => l.level)).toEqual(['INFO', 'INFO']);
    for (const line of [...(await diagnostics()), ...(await requestLogs())])
      expect(LEVELS).toContain(line.level);
  });

  it("name the logger: tributary for the engine, the scope for a record; the engine's fields follow", async () => {
    const [warning] = await diagnostics();
    expect(warning).toMatchObject({
      level: 'WARN',
      message: 'send failed; will retry',
      logger: 'tributary',
      component: 'jaeger',
      signal: 'traces',
      items: 2,
    });
    expect(warning).not.toHaveProperty('service');
    expect((await requestLogs())[0]).toMatchObject({
      message: 'Request started',
      logger: 'tributary-testing',
    });
  });
});
