import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Host } from '../../../../core/component.js';
import { definePlugin, type TributaryError } from '../../../../core/index.js';
import { EngineStatus } from '../../../../core/status.js';
import { freePort, type RunningPipeline, startPipeline } from '../../../../core/testing/index.js';
import { ENGINE_VERSION } from '../../../../core/version.js';
import { HealthCheckConfig } from '../../../../plugins/extensions/health_check/config.js';
import { builtins } from '../../../../plugins/index.js';

/** An exporter that hands the test its Host, to report statuses as a real exporter would. */
function hostGrabber() {
  const hosts: Host[] = [];
  const plugin = definePlugin({
    kind: 'exporter',
    type: 'grabber',
    stability: { traces: 'alpha' },
    config: z.strictObject({}),
    create: {
      traces: () => ({
        start: async (host: Host) => void hosts.push(host),
        shutdown: async () => {},
        consume: async () => {},
      }),
    },
  });
  return { plugin, hosts };
}

/** A receiver whose start() or shutdown() waits until the test opens the gate. */
function gatedReceiver(when: 'start' | 'shutdown') {
  let open!: () => void;
  let entered!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const waiting = new Promise<void>((resolve) => (entered = resolve));
  const wait = async () => {
    entered();
    await opened;
  };
  const plugin = definePlugin({
    kind: 'receiver',
    type: 'gated',
    stability: { traces: 'alpha' },
    config: z.strictObject({}),
    create: {
      traces: () => ({
        start: when === 'start' ? wait : async () => {},
        shutdown: when === 'shutdown' ? wait : async () => {},
      }),
    },
  });
  return { plugin, waiting, open };
}

const yaml = (port: number, receiver = 'push', exporter = 'sink') => `
extensions:
  health_check: { endpoint: 127.0.0.1:${port} }
receivers: { ${receiver}: {} }
exporters: { ${exporter}: {} }
service:
  extensions: [health_check]
  pipelines:
    traces: { receivers: [${receiver}], exporters: [${exporter}] }
`;

async function get(port: number, path: string, method = 'GET') {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), text, body: text && JSON.parse(text) };
}

let pipeline: RunningPipeline | undefined;
let blocker: Server | undefined;
afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = undefined;
  blocker?.close();
  blocker = undefined;
});

describe('health_check config', () => {
  it('listens on 127.0.0.1:13133 by default, never on every interface', () => {
    expect(HealthCheckConfig.parse({})).toEqual({
      endpoint: { host: '127.0.0.1', port: 13133 },
      check_exporters: true,
    });
    expect(HealthCheckConfig.safeParse({ version: '' }).success).toBe(false);
    expect(HealthCheckConfig.parse({ endpoint: ':8080' }).endpoint).toEqual({
      host: '127.0.0.1',
      port: 8080,
    });
  });
});

describe('GET /health', () => {
  it("answers the monitoring guide's JSON: healthy, timestamp and uptime in seconds, version", async () => {
    const port = await freePort();
    pipeline = await startPipeline(yaml(port), { plugins: builtins });
    const before = Date.now() / 1000;
    const { status, type, body } = await get(port, '/health');
    const after = Date.now() / 1000;

    expect(status).toBe(200);
    expect(type).toBe('application/json');
    expect(Object.keys(body)).toEqual(['status', 'timestamp', 'uptime', 'version']);
    expect(body.status).toBe('healthy');
    expect(body.version).toBe(ENGINE_VERSION);
    expect(body.timestamp).toBeGreaterThanOrEqual(before);
    expect(body.timestamp).toBeLessThanOrEqual(after);
    // Seconds since the engine started, as of the same instant as the timestamp.
    const startedAt = pipeline.engine.registry.container.resolve(EngineStatus).startedAt.getTime() / 1000;
    expect(body.uptime).toBeGreaterThan(0);
    expect(body.uptime).toBeCloseTo(body.timestamp - startedAt, 6);
  });

  it('reports the version the config gives, e.g. that of the service embedding the engine', async () => {
    const port = await freePort();
    const config = yaml(port).replace(
      `health_check: { endpoint: 127.0.0.1:${port} }`,
      `health_check: { endpoint: 127.0.0.1:${port}, version: 2.4.1 }`,
    );
    pipeline = await startPipeline(config, { plugins: builtins });
    expect((await get(port, '/health')).body).toMatchObject({ status: 'healthy', version: '2.4.1' });
  });

  it('stays healthy while the engine stops (liveness), while /ready says it is stopping', async () => {
    const port = await freePort();
    const gated = gatedReceiver('shutdown');
    pipeline = await startPipeline(yaml(port, 'gated'), { plugins: [...builtins, gated.plugin] });
    const stopped = pipeline.shutdown();
    pipeline = undefined;
    await gated.waiting;

    expect((await get(port, '/health')).body.status).toBe('healthy');
    expect(await get(port, '/ready')).toMatchObject({
      status: 503,
      body: { status: 'not ready', error: 'the engine is stopping; receiver "gated" is stopping' },
    });
    gated.open();
    await stopped;
  });
});

describe('GET /ready', () => {
  it('answers 200 {"status":"ready"} once every component started', async () => {
    const port = await freePort();
    pipeline = await startPipeline(yaml(port), { plugins: builtins });
    expect(await get(port, '/ready')).toMatchObject({
      status: 200,
      type: 'application/json',
      body: { status: 'ready' },
    });
  });

  it('answers 503 while a component is still starting, naming it', async () => {
    const port = await freePort();
    const gated = gatedReceiver('start');
    const starting = startPipeline(yaml(port, 'gated'), { plugins: [...builtins, gated.plugin] });
    await gated.waiting;

    expect(await get(port, '/ready')).toMatchObject({
      status: 503,
      body: { status: 'not ready', error: 'the engine is starting; receiver "gated" is starting' },
    });
    gated.open();
    pipeline = await starting;
    expect((await get(port, '/ready')).status).toBe(200);
  });

  it('answers 503 naming the component and its error while it reports an error, 200 once it is ok again', async () => {
    const port = await freePort();
    const grabber = hostGrabber();
    pipeline = await startPipeline(yaml(port, 'push', 'grabber'), { plugins: [...builtins, grabber.plugin] });
    const host = grabber.hosts[0] as Host;

    host.reportStatus('recoverable_error', new Error('connect ECONNREFUSED 127.0.0.1:4318'));
    expect(await get(port, '/ready')).toMatchObject({
      status: 503,
      body: {
        status: 'not ready',
        error: 'exporter "grabber" is failing: connect ECONNREFUSED 127.0.0.1:4318',
      },
    });
    host.reportStatus('permanent_error', new Error('401 Unauthorized'));
    expect((await get(port, '/ready')).body.error).toBe('exporter "grabber" failed: 401 Unauthorized');
    host.reportStatus('ok');
    expect(await get(port, '/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });
  it('with check_exporters: false, stays ready while an exporter fails', async () => {
    const port = await freePort();
    const grabber = hostGrabber();
    const config = yaml(port, 'push', 'grabber').replace(
      `health_check: { endpoint: 127.0.0.1:${port} }`,
      `health_check: { endpoint: 127.0.0.1:${port}, check_exporters: false }`,
    );
    pipeline = await startPipeline(config, { plugins: [...builtins, grabber.plugin] });
    (grabber.hosts[0] as Host).reportStatus('recoverable_error', new Error('connect ECONNREFUSED'));
    expect(await get(port, '/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });
});

describe('HTTP', () => {
  it('answers 404 on other paths, 405 to other methods, and HEAD without a body', async () => {
    const port = await freePort();
    pipeline = await startPipeline(yaml(port), { plugins: builtins });

    expect(await get(port, '/')).toMatchObject({
      status: 404,
      body: { error: 'not found: the probes are /health and /ready' },
    });
    expect((await get(port, '/metrics')).status).toBe(404);
    expect((await get(port, '/health/')).status).toBe(404);
    expect(await get(port, '/ready', 'POST')).toMatchObject({
      status: 405,
      body: { error: 'method not allowed: use GET or HEAD' },
    });
    expect(await get(port, '/health?verbose=1')).toMatchObject({ status: 200, body: { status: 'healthy' } });
    expect(await get(port, '/ready', 'HEAD')).toMatchObject({ status: 200, text: '' });
  });

  it('refuses to start on a port in use, naming the component, the address and what to do', async () => {
    const port = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker?.listen(port, '127.0.0.1', resolve));
    const error = (await startPipeline(yaml(port), { plugins: builtins }).catch(
      (e: unknown) => e,
    )) as TributaryError;

    expect(error.code).toBe('TRB_EXTENSION_PORT_IN_USE');
    expect(error.message).toBe(
      `extension "health_check" failed to start: cannot listen on 127.0.0.1:${port}: the address is already in use`,
    );
    expect(error.hint).toBe(
      'stop the process listening there, or set extensions.health_check.endpoint to a free host:port',
    );
    expect(error.format()).toMatch(
      /\/pipeline\.yaml:3:3: TRB_EXTENSION_PORT_IN_USE extensions\.health_check: /,
    );
  });

  it('refuses to start on an address this machine does not have, saying which key to change', async () => {
    const config = yaml(await freePort()).replace(/endpoint: 127\.0\.0\.1:\d+/, 'endpoint: 192.0.2.1:13133');
    const error = (await startPipeline(config, { plugins: builtins }).catch(
      (e: unknown) => e,
    )) as TributaryError;

    expect(error.code).toBe('TRB_EXTENSION_LISTEN_FAILED');
    expect(error.message).toBe(
      'extension "health_check" failed to start: cannot listen on 192.0.2.1:13133: EADDRNOTAVAIL',
    );
    expect(error.hint).toBe(
      'set extensions.health_check.endpoint to an address of this machine and a port you may open',
    );
  });

  it('frees the port at shutdown', async () => {
    const port = await freePort();
    pipeline = await startPipeline(yaml(port), { plugins: builtins });
    await pipeline.shutdown();
    pipeline = undefined;
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
