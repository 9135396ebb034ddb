import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AdminPages, escapeHtml } from '../../../../core/admin-pages.js';
import { definePlugin } from '../../../../core/plugin.js';
import { freePort, makeSpans, type RunningPipeline, startPipeline } from '../../../../core/testing/index.js';
import { builtins } from '../../../../plugins/index.js';

/** A component id with markup in it: ids come from the config, and the page must show it as text. */
const NASTY = 'push/<img src=x onerror=alert(1)>';
const TOKEN = 'tok-9f8e7d6c5b4a';

/** An extension that reports an error quoting its secret, and adds a page of each kind. */
const reporter = definePlugin({
  kind: 'extension',
  type: 'reporter',
  stability: { extension: 'development' },
  config: z.strictObject({ api_token: z.string() }),
  create: (ctx) => {
    const pages = ctx.container.resolve(AdminPages);
    const removals: (() => void)[] = [];
    return {
      start: async (host) => {
        removals.push(
          pages.add({
            path: 'errors/summary',
            title: 'Errors <summary>',
            render: async () => ({ html: `<p class="found">${escapeHtml('3 errors in <tools/call>')}</p>` }),
          }),
          pages.add({
            path: 'errors/json',
            title: 'Errors as JSON',
            render: async () => ({ json: { errors: 3 } }),
          }),
          pages.add({
            path: 'broken',
            title: 'Broken',
            render: async () => {
              throw new Error('the tracker lost its state');
            },
          }),
        );
        // After start: the engine records "ok" when start() returns.
        setTimeout(
          () =>
            host.reportStatus('recoverable_error', new Error(`backend said no to ${ctx.config.api_token}`)),
          0,
        );
      },
      shutdown: async () => {
        for (const remove of removals.splice(0)) remove();
      },
    };
  },
});

let dir: string;
let pipeline: RunningPipeline;
let base: string;

const get = (path: string) => fetch(`${base}${path}`);
/** The status code for a GET with this Host header (fetch does not let a test set Host). */
const statusWithHost = (path: string, host: string) =>
  new Promise<number | undefined>((resolve, reject) => {
    const req = request(`${base}${path}`, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject).end();
  });
type AdminStatusJson = import('../../../../plugins/extensions/admin/status.js').AdminStatus;
const status = async () => (await (await get('/api/status')).json()) as AdminStatusJson;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trb-admin-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  pipeline = await startPipeline(
    `
extensions:
  admin: { endpoint: 127.0.0.1:${port} }
  reporter: { api_token: ${TOKEN} }
receivers: { "${NASTY}": {} }
processors: { batch: { timeout: 10ms } }
exporters: { file: { path: ${join(dir, 'spans.jsonl')} } }
service:
  extensions: [admin, reporter]
  pipelines:
    traces: { receivers: ["${NASTY}"], processors: [batch], exporters: [file] }
`,
    { plugins: [...builtins, reporter] },
  );
});

afterAll(async () => {
  await pipeline?.shutdown();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('admin extension: /api/status', () => {
  it('has the engine, every node of the graph with its status, and the edges between them', async () => {
    const s = await status();
    expect(s.engine).toMatchObject({ state: 'running', version: expect.any(String) });
    expect(s.engine.uptime_seconds).toBeGreaterThanOrEqual(0);
    expect(s.nodes.map((n) => [n.kind, n.id, n.status])).toEqual([
      ['receiver', NASTY, 'ok'],
      ['processor', 'batch', 'ok'],
      ['exporter', 'file', 'ok'],
    ]);
    expect(s.edges).toEqual([
      { from: `receiver:${NASTY}:traces`, to: 'processor:traces:batch' },
      { from: 'processor:traces:batch', to: 'exporter:file:traces' },
    ]);
    expect(s.components).toContainEqual(
      expect.objectContaining({ id: 'admin', kind: 'extension', status: 'ok' }),
    );
  });

  it('counts items in and out from the engine’s own metrics as data flows', async () => {
    const before = await status();
    const exporter = before.nodes.find((n) => n.kind === 'exporter');
    expect(exporter?.counts).toMatchObject({ queue_size: expect.any(Number), queue_capacity: 1000 });
    await pipeline.push('traces', makeSpans(7), NASTY);
    await expect
      .poll(async () => (await status()).nodes.map((n) => n.counts))
      .toEqual([
        expect.objectContaining({ accepted: (before.nodes[0]?.counts.accepted ?? 0) + 7, refused: 0 }),
        {},
        expect.objectContaining({ sent: (exporter?.counts.sent ?? 0) + 7, failed: 0, dropped: 0 }),
      ]);
    const after = await status();
    expect(after.nodes[2]?.summary).toMatch(/^sent \d+ · queue 0\/1,000$/);
  });

  it('masks a secret of the config quoted in a status error, and shows no config value', async () => {
    await expect
      .poll(async () => (await status()).components)
      .toContainEqual(
        expect.objectContaining({
          id: 'reporter',
          status: 'recoverable_error',
          error: 'backend said no to [REDACTED]',
        }),
      );
    const s = await status();
    const html = await (await get('/')).text();
    for (const text of [JSON.stringify(s), html]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(dir);
    }
  });

  it('lists the pages plugins added', async () => {
    expect((await status()).pages).toEqual([
      { path: 'errors/summary', title: 'Errors <summary>', url: '/pages/errors/summary' },
      { path: 'errors/json', title: 'Errors as JSON', url: '/pages/errors/json' },
      { path: 'broken', title: 'Broken', url: '/pages/broken' },
    ]);
  });
});

describe('admin extension: the HTML page', () => {
  it('draws an SVG node per graph node, with component ids as escaped text', async () => {
    const res = await get('/');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).not.toContain('<img');
    expect(html).toContain('push/&lt;img src=x onerror=alert(1)&gt;');
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    expect([...svg.matchAll(/<g class="node (\w+)" data-node="([^"]+)"/g)].map((m) => [m[1], m[2]])).toEqual([
      ['receiver', 'receiver:push/&lt;img src=x onerror=alert(1)&gt;:traces'],
      ['processor', 'processor:traces:batch'],
      ['exporter', 'exporter:file:traces'],
    ]);
    expect(svg.match(/class="edge"/g)).toHaveLength(2);
    expect(html).toContain('<a href="/pages/errors/summary">Errors &lt;summary&gt;</a>');
  });

  it('serves its script, and the pages plugins added: HTML in the layout, JSON as it is', async () => {
    expect((await get('/admin.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const page = await (await get('/pages/errors/summary')).text();
    expect(page).toContain(
      '<h2>Errors &lt;summary&gt;</h2><p class="found">3 errors in &lt;tools/call&gt;</p>',
    );
    expect(page).toContain('<script src="/admin.js"></script>');
    expect(await (await get('/pages/errors/json')).json()).toEqual({ errors: 3 });
    const broken = await get('/pages/broken');
    expect([broken.status, await broken.text()]).toEqual([
      500,
      'the admin page failed to render this; see the engine log\n',
    ]);
  });

  it('answers 404 elsewhere, 405 to other methods, 421 to a host name that is not loopback', async () => {
    expect((await get('/pages/nothing')).status).toBe(404);
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
    // What a DNS-rebinding page would send: its own name in Host.
    expect(await statusWithHost('/api/status', 'attacker.example:80')).toBe(421);
    expect(await statusWithHost('/api/status', 'localhost:55679')).toBe(200);
  });
});

describe('admin extension: start', () => {
  it('fails with TRB_EXTENSION_PORT_IN_USE naming its endpoint when the port is taken', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const started = startPipeline(
        `
extensions: { admin/busy: { endpoint: 127.0.0.1:${port} } }
receivers: { push: }
exporters: { sink: }
service: { extensions: [admin/busy], pipelines: { logs: { receivers: [push], exporters: [sink] } } }
`,
        { plugins: builtins },
      );
      await expect(started).rejects.toMatchObject({
        code: 'TRB_EXTENSION_PORT_IN_USE',
        message: expect.stringContaining(`cannot listen on 127.0.0.1:${port}: the address is already in use`),
      });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('AdminPages', () => {
  it('refuses a path that is not one, or one already taken, with TRB_ADMIN_PAGE_INVALID', () => {
    const pages = new AdminPages();
    const render = async () => ({ json: {} });
    pages.add({ path: 'stats', title: 'Stats', render });
    expect(() => pages.add({ path: '../etc', title: 'x', render })).toThrow(
      expect.objectContaining({ code: 'TRB_ADMIN_PAGE_INVALID' }),
    );
    expect(() => pages.add({ path: 'stats', title: 'Other', render })).toThrow(/already taken by "Stats"/);
  });
});

describe('admin extension: a receiver and an exporter with one id (otlp in, otlp out)', () => {
  let relay: RunningPipeline;
  let admin: number;
  const relayStatus = async () =>
    (await (await fetch(`http://127.0.0.1:${admin}/api/status`)).json()) as AdminStatusJson;

  beforeAll(async () => {
    const [otlpIn, closed] = [await freePort(), await freePort()];
    admin = await freePort();
    relay = await startPipeline(
      `
extensions: { admin: { endpoint: 127.0.0.1:${admin} } }
receivers: { otlp: { protocols: { http: { endpoint: 127.0.0.1:${otlpIn} } } } }
exporters: { otlp: { endpoint: http://127.0.0.1:${closed} } }
service:
  shutdown_timeout: 100ms
  extensions: [admin]
  pipelines: { traces: { receivers: [otlp], exporters: [otlp] } }
`,
      { plugins: builtins },
    );
    const span = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'a' };
    const sent = await fetch(`http://127.0.0.1:${otlpIn}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }),
    });
    expect(sent.status).toBe(200);
  });

  afterAll(async () => {
    await relay?.shutdown();
  });

  it('counts each with its own metrics: no queue on the receiver, no items accepted on the exporter', async () => {
    const { nodes } = await relayStatus();
    expect(nodes.map((n) => [n.kind, n.counts])).toEqual([
      ['receiver', { accepted: 1, refused: 0 }],
      ['exporter', expect.not.objectContaining({ accepted: expect.anything() })],
    ]);
    expect(nodes[1]?.counts).toMatchObject({ queue_capacity: 1000 });
  });

  it('shows each its own status: the exporter failing to send, the receiver ok', async () => {
    await expect
      .poll(async () => (await relayStatus()).nodes.map((n) => [n.kind, n.status]))
      .toEqual([
        ['receiver', 'ok'],
        ['exporter', 'recoverable_error'],
      ]);
    const { components } = await relayStatus();
    expect(components.filter((c) => c.id === 'otlp').map((c) => [c.kind, c.status])).toEqual([
      ['exporter', 'recoverable_error'],
      ['receiver', 'ok'],
    ]);
  });
});
