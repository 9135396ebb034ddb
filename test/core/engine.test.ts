import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePlugin, Engine, type TributaryError } from '../../core/index.js';
import { createLogger } from '../../core/telemetry/logger.js';
import { freePort, makeSpans, pushReceiver, Recorded, sinkExporter } from '../../core/testing/index.js';
import { builtins } from '../../plugins/index.js';

/** An extension whose start() waits until the test opens it: the engine is `starting` meanwhile. */
function gateExtension() {
  let open!: () => void;
  let entered!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const starting = new Promise<void>((resolve) => (entered = resolve));
  const plugin = definePlugin({
    kind: 'extension',
    type: 'gate',
    stability: { extension: 'alpha' },
    config: z.strictObject({}),
    create: () => ({
      start: async () => {
        entered();
        await opened;
      },
      shutdown: async () => {},
    }),
  });
  return { plugin, starting, open };
}

/** A traces and logs receiver that records its starts and stops, and whose shutdown may never return. */
function trackedReceiver(type: string, { hangs = false } = {}) {
  const events: string[] = [];
  const plugin = definePlugin({
    kind: 'receiver',
    type,
    stability: { traces: 'alpha', logs: 'alpha' },
    config: z.strictObject({}),
    create: Object.fromEntries(
      (['traces', 'logs'] as const).map((signal) => [
        signal,
        () => ({
          start: async () => void events.push(`start ${signal}`),
          shutdown: () => {
            events.push(`stop ${signal}`);
            return hangs ? new Promise<void>(() => {}) : Promise.resolve();
          },
        }),
      ]),
    ),
  } as never);
  return { plugin, events };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (err: TributaryError) => `${err.code} ${err.message}; ${err.hint}`,
  );

const plainConfig = {
  receivers: { push: {} },
  exporters: { sink: {} },
  service: { pipelines: { traces: { receivers: ['push'], exporters: ['sink'] } } },
};
const plainEngine = () =>
  Engine.fromConfig(plainConfig, {
    logger: createLogger('silent'),
    plugins: [pushReceiver(new Map()), sinkExporter(new Recorded())],
  });

describe('engine lifecycle', () => {
  it('shutdown() during start() waits for it, starts nothing more and leaves nothing running', async () => {
    const gate = gateExtension();
    const tracked = trackedReceiver('tracked');
    const port = await freePort();
    const engine = Engine.fromConfig(
      {
        extensions: { gate: {} },
        receivers: { selftelemetry: {}, tracked: {} },
        processors: { batch: {} },
        exporters: { prometheus: { endpoint: `127.0.0.1:${port}` }, sink: {} },
        service: {
          extensions: ['gate'],
          pipelines: {
            metrics: { receivers: ['selftelemetry'], processors: ['batch'], exporters: ['prometheus'] },
            logs: { receivers: ['tracked'], exporters: ['sink'] },
          },
        },
      },
      {
        logger: createLogger('silent'),
        plugins: [...builtins, gate.plugin, tracked.plugin, sinkExporter(new Recorded())],
      },
    );
    const started = failure(engine.start());
    await gate.starting;
    const stopped = engine.shutdown();
    expect(engine.state).toBe('stopping');
    gate.open();
    await stopped;

    expect(await started).toMatch(
      /^TRB_ENGINE_STATE shutdown\(\) was called while the engine was starting: .*; create a new Engine/,
    );
    expect(engine.state).toBe('stopped');
    expect(tracked.events).toEqual([]);
    expect(Object.fromEntries(engine.status())).toEqual({
      gate: expect.objectContaining({ status: 'stopped' }),
    });
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  it('shutdown() during a start() that never returns: abandons that component after the deadline and stops the rest', async () => {
    const gate = gateExtension(); // never opened: its start() hangs
    const tracked = trackedReceiver('tracked');
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
    const engine = Engine.fromConfig(
      {
        extensions: { gate: {} },
        receivers: { tracked: {} },
        exporters: { sink: {} },
        service: {
          extensions: ['gate'],
          shutdown_timeout: '50ms',
          pipelines: { logs: { receivers: ['tracked'], exporters: ['sink'] } },
        },
      },
      { logger, plugins: [gate.plugin, tracked.plugin, sinkExporter(new Recorded())] },
    );
    const started = failure(engine.start());
    await gate.starting;
    await engine.shutdown(); // returns although gate's start() never does

    expect(engine.state).toBe('stopped');
    expect(await started).toMatch(/^TRB_ENGINE_STATE shutdown\(\) was called while the engine was starting/);
    expect(tracked.events).toEqual([]);
    expect(engine.status().get('gate')).toMatchObject({
      status: 'permanent_error',
      error: {
        code: 'TRB_COMPONENT_SHUTDOWN_TIMEOUT',
        message: 'extension "gate" did not finish starting within the 50 ms deadline; abandoned it',
      },
    });
    expect(lines.filter((l) => l.level === 'ERROR').map((l) => l.component)).toEqual(['gate']);
  });

  it('a component whose start() fails is shut down too, so what it opened is released', async () => {
    const events: string[] = [];
    const broken = definePlugin({
      kind: 'exporter',
      type: 'half_open',
      stability: { traces: 'alpha' },
      config: z.strictObject({}),
      create: {
        traces: () => ({
          consume: async () => {},
          start: async () => {
            events.push('opened a socket');
            throw new Error('then its handshake failed');
          },
          shutdown: async () => void events.push('closed it'),
        }),
      },
    });
    const engine = Engine.fromConfig(
      {
        receivers: { push: {} },
        exporters: { half_open: {} },
        service: { pipelines: { traces: { receivers: ['push'], exporters: ['half_open'] } } },
      },
      { logger: createLogger('silent'), plugins: [pushReceiver(new Map()), broken] },
    );
    expect(await failure(engine.start())).toMatch(
      /^TRB_COMPONENT_START_FAILED exporter "half_open" failed to start/,
    );
    expect(events).toEqual(['opened a socket', 'closed it']);
    expect(engine.state).toBe('failed');
    expect(engine.status().get('half_open')).toMatchObject({ status: 'permanent_error' });
  });

  it('start() on an engine that is running, stopped or failed is a TRB_ENGINE_STATE error saying what to do', async () => {
    const engine = plainEngine();
    await engine.start();
    expect(engine.state).toBe('running');
    expect(await failure(engine.start())).toBe(
      'TRB_ENGINE_STATE cannot start an engine that is running: the engine is already running; call start() once; shutdown() stops it',
    );
    await engine.shutdown();
    expect(await failure(engine.start())).toBe(
      'TRB_ENGINE_STATE cannot start an engine that is stopped: the engine was shut down: an engine runs once; create a new Engine to run the config again',
    );

    const never = plainEngine();
    await never.shutdown();
    expect(never.state).toBe('stopped');
    expect(await failure(never.start())).toMatch(/^TRB_ENGINE_STATE cannot start an engine that is stopped/);

    const broken = Engine.fromConfig(plainConfig, { logger: createLogger('silent') });
    expect(await failure(broken.start())).toMatch(/TRB_CONFIG_UNKNOWN_TYPE/);
    expect(broken.state).toBe('failed');
    expect(await failure(broken.start())).toMatch(
      /^TRB_ENGINE_STATE cannot start an engine that is failed: .*; fix what the first start\(\) reported, then create a new Engine$/,
    );
    await broken.shutdown();
  });

  it('a component hanging in shutdown() is abandoned after the deadline: logged once, status error, the rest still stop', async () => {
    const stuck = trackedReceiver('stuck', { hangs: true });
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
    const engine = Engine.fromConfig(
      {
        receivers: { stuck: {}, push: {} },
        exporters: { sink: {} },
        service: {
          shutdown_timeout: '50ms',
          pipelines: {
            traces: { receivers: ['stuck', 'push'], exporters: ['sink'] },
            logs: { receivers: ['stuck', 'push'], exporters: ['sink'] },
          },
        },
      },
      { logger, plugins: [stuck.plugin, pushReceiver(new Map()), sinkExporter(new Recorded())] },
    );
    await engine.start();
    await engine.shutdown(); // returns although stuck's shutdown() never does

    expect(engine.state).toBe('stopped');
    expect(stuck.events.sort()).toEqual(['start logs', 'start traces', 'stop logs', 'stop traces']);
    const { stuck: abandoned, ...rest } = Object.fromEntries(engine.status());
    expect(abandoned).toMatchObject({
      status: 'permanent_error',
      error: {
        code: 'TRB_COMPONENT_SHUTDOWN_TIMEOUT',
        message: 'receiver "stuck" did not finish shutting down within the 50 ms deadline; abandoned it',
      },
    });
    expect(rest).toEqual({
      push: expect.objectContaining({ status: 'stopped' }),
      sink: expect.objectContaining({ status: 'stopped' }),
    });
    const logged = lines.filter((l) => l.component === 'stuck' && l.level === 'ERROR');
    expect(logged.map((l) => l.message)).toEqual([
      'TRB_COMPONENT_SHUTDOWN_TIMEOUT receivers.stuck: receiver "stuck" did not finish shutting down within the 50 ms deadline; abandoned it; its start() and shutdown() must return once host.shutdownSignal aborts; raise service.shutdown_timeout if draining needs longer',
    ]);
  });

  it('a process that shuts its engine down during start() exits on its own, nothing left behind', async () => {
    // Against dist/ (`npm run build`), in a fresh process: what keeps it alive is what the engine left.
    const script = join(import.meta.dirname, '../fixtures/lifecycle/shutdown-during-start.mjs');
    const child = spawn(process.execPath, [script, String(await freePort())], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    try {
      await expect.poll(() => stdout, { timeout: 15_000 }).toContain('\n');
      expect(JSON.parse(stdout)).toEqual({ start: 'TRB_ENGINE_STATE', state: 'stopped', keepingAlive: [] });
      expect(await exited).toBe(0);
    } finally {
      child.kill();
    }
  });
});

describe('a logger the embedder passes in', () => {
  it('gets the same redaction: what the engine logs never shows a secret of the config', async () => {
    const written: string[] = [];
    // The embedder's own pino, with its defaults (messageKey `msg`).
    const logger = pino({ level: 'info' }, { write: (line: string) => void written.push(line) });
    const targets = new Map();
    const engine = Engine.fromConfig(
      {
        receivers: { push: {} },
        exporters: {
          otlp: {
            endpoint: `http://ingest:hunter22@127.0.0.1:${await freePort()}`,
            headers: { 'x-api-key': 'k3y-271828' },
            retry_on_failure: { initial_interval: '10ms' },
          },
        },
        service: { pipelines: { traces: { receivers: ['push'], exporters: ['otlp'] } } },
      },
      { logger, plugins: [...builtins, pushReceiver(targets)] },
    );
    await engine.start();
    await targets.get('push:traces')?.consume(makeSpans(1));
    await expect.poll(() => written.join('')).toContain('send failed; will retry');
    engine.logger?.warn({ headers: { 'x-api-key': 'k3y-271828' } }, 'the backend refused k3y-271828');
    await engine.shutdown({ timeoutMs: 50 });

    const text = written.join('');
    expect(text).toContain('127.0.0.1');
    expect(text).not.toContain('hunter22');
    expect(text).not.toContain('k3y-271828');
  });
});

describe('the ready line', () => {
  it("names where OTLP senders send, once for all the otlp receiver's signals", async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
    const port = await freePort();
    const engine = Engine.fromConfig(
      {
        receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}` } } } },
        exporters: { sink: {} },
        service: {
          pipelines: {
            traces: { receivers: ['otlp'], exporters: ['sink'] },
            logs: { receivers: ['otlp'], exporters: ['sink'] },
          },
        },
      },
      { logger, plugins: [...builtins, sinkExporter(new Recorded())] },
    );
    await engine.start();
    await engine.shutdown();
    const ready = lines.find((l) => String(l.message).startsWith('Everything is ready'));
    expect(ready?.endpoints).toEqual({ otlp: `http://127.0.0.1:${port}` });
  });

  it('names every place when two components serve the same kind of thing', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
    // Port 0: the system picks two ports that cannot clash.
    const engine = Engine.fromConfig(
      {
        receivers: { selftelemetry: {} },
        exporters: { prometheus: { endpoint: '127.0.0.1:0' }, 'prometheus/2': { endpoint: '127.0.0.1:0' } },
        service: {
          pipelines: { metrics: { receivers: ['selftelemetry'], exporters: ['prometheus', 'prometheus/2'] } },
        },
      },
      { logger, plugins: builtins },
    );
    await engine.start();
    await engine.shutdown();
    const ready = lines.find((l) => String(l.message).startsWith('Everything is ready'));
    // Whichever started first is `metrics`; the other is named by its id.
    const endpoints = ready?.endpoints as Record<string, string>;
    expect(Object.keys(endpoints)).toHaveLength(2);
    expect(Object.keys(endpoints)).toContain('metrics');
    expect(Object.keys(endpoints).filter((k) => k !== 'metrics')).toEqual([
      expect.stringMatching(/^metrics prometheus(\/2)?$/),
    ]);
    const urls = Object.values(endpoints);
    expect(new Set(urls).size).toBe(2);
    for (const url of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/metrics$/);
  });

  it('names, once, where to look at what the components serve', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line)) });
    const port = await freePort();
    const engine = Engine.fromConfig(
      {
        receivers: { selftelemetry: {} },
        exporters: { prometheus: { endpoint: `127.0.0.1:${port}` } },
        service: { pipelines: { metrics: { receivers: ['selftelemetry'], exporters: ['prometheus'] } } },
      },
      { logger, plugins: builtins },
    );
    await engine.start();
    await engine.shutdown();
    const url = `http://127.0.0.1:${port}/metrics`;
    const ready = lines.filter((l) => String(l.message).startsWith('Everything is ready'));
    expect(ready).toEqual([
      expect.objectContaining({
        level: 'INFO',
        endpoints: { metrics: url },
        message: `Everything is ready. Begin running and processing data. metrics: ${url}`,
      }),
    ]);
    expect(lines.filter((l) => l.level !== 'DEBUG' && JSON.stringify(l).includes(url))).toEqual(ready);
  });
});

describe('the ready line on IPv6', () => {
  it('names URLs one can open when the endpoints listen on [::1]', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
    const engine = Engine.fromConfig(
      {
        extensions: { health_check: { endpoint: '[::1]:0' }, admin: { endpoint: '[::1]:0' } },
        receivers: { selftelemetry: {} },
        exporters: { prometheus: { endpoint: '[::1]:0' } },
        service: {
          extensions: ['health_check', 'admin'],
          pipelines: { metrics: { receivers: ['selftelemetry'], exporters: ['prometheus'] } },
        },
      },
      { logger, plugins: builtins },
    );
    await engine.start();
    try {
      const ready = lines.find((l) => String(l.message).startsWith('Everything is ready'));
      const endpoints = ready?.endpoints as Record<string, string>;
      expect(Object.keys(endpoints).sort()).toEqual(['admin', 'health', 'metrics']);
      for (const url of Object.values(endpoints)) {
        expect(url).toMatch(/^http:\/\/\[::1\]:\d+\//);
        expect((await fetch(url)).status, url).toBe(200);
      }
    } finally {
      await engine.shutdown();
    }
  });
});
