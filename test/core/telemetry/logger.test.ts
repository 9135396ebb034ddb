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

describe("the engine's logger", () => {
  it("masks the config's secrets in fields, messages and errors, with the rule print-config uses", () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) }, ['271828']);
    const child = logger.child({ component: 'otlp' });
    child.warn(
      {
        headers: { 'x-api-key': 'hc_live_abc', accept: 'text/plain' },
        auth: { password: 'hunter2', username: 'elastic' },
        url: 'https://elastic:pa55word@es.internal:9200/_bulk?api_key=k3y',
        items: 3,
      },
      'send failed: http://127.0.0.1:4318/v1/metrics answered HTTP 401: bad key 271828',
    );
    child.error({ err: new Error('upstream said: key 271828 is revoked') }, 'start failed');
    const text = lines.join('');
    for (const secret of ['hc_live_abc', 'text/plain', 'hunter2', 'pa55word', 'k3y', '271828'])
      expect(text).not.toContain(secret);
    const [warning, failure] = lines.map((l) => JSON.parse(l));
    expect(warning).toMatchObject({
      level: 'WARN',
      component: 'otlp',
      headers: { 'x-api-key': '[REDACTED]', accept: '[REDACTED]' },
      auth: { password: '[REDACTED]', username: 'elastic' },
      url: 'https://elastic:REDACTED@es.internal:9200/_bulk?REDACTED',
      items: 3,
      message: 'send failed: http://127.0.0.1:4318/v1/metrics answered HTTP 401: bad key [REDACTED]',
    });
    expect(failure.err).toMatchObject({ type: 'Error', message: 'upstream said: key [REDACTED] is revoked' });
    expect(failure.err.stack).toContain('upstream said: key [REDACTED] is revoked');
  });
});
