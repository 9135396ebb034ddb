// Done when (issue 8): the admin page, in a real browser (Debian chromium, headless, driven by
// playwright-core), loads, draws the graph of the running config, and its numbers move while data
// flows; a screenshot is kept as a test artifact.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, makeSpans, type RunningPipeline, startPipeline } from '../../core/testing/index.js';
import { builtins } from '../../plugins/index.js';

const root = join(import.meta.dirname, '../..');
const SCREENSHOT = join(root, '.tmp/artifacts/admin.png');
/** The components of the config below, as the page must draw them. */
const COMPONENTS = ['push', 'selftelemetry', 'batch', 'forward', 'file', 'file/copy', 'prometheus'];

let dir: string;
let pipeline: RunningPipeline | undefined;
let browser: Browser | undefined;
let page: Page;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trb-admin-browser-'));
  const [adminPort, metricsPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${adminPort}`;
  pipeline = await startPipeline(
    `
extensions: { admin: { endpoint: 127.0.0.1:${adminPort} } }
receivers: { push: {}, selftelemetry: { collection_interval: 1s } }
processors: { batch: { timeout: 50ms } }
connectors: { forward: {} }
exporters:
  file: { path: ${join(dir, 'spans.jsonl')} }
  file/copy: { path: ${join(dir, 'copy.jsonl')} }
  prometheus: { endpoint: 127.0.0.1:${metricsPort} }
service:
  extensions: [admin]
  pipelines:
    traces: { receivers: [push], processors: [batch], exporters: [file, forward] }
    traces/copy: { receivers: [forward], exporters: [file/copy] }
    metrics: { receivers: [selftelemetry], exporters: [prometheus] }
`,
    { plugins: builtins },
  );
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await pipeline?.engine.shutdown({ timeoutMs: 1000 });
  if (dir) await rm(dir, { recursive: true, force: true });
}, 20_000);

const cell = (node: string, count: string) =>
  page.locator(`tr[data-node="${node}"] td[data-count="${count}"]`).textContent();
const summary = (node: string) => page.locator(`g[data-node="${node}"] [data-summary]`).textContent();

describe('the admin page in headless chromium', () => {
  it('loads and draws a node of the graph for every component of the running config', async () => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
    const res = await page.goto(base);
    expect(res?.status()).toBe(200);
    expect(await page.title()).toBe('Tributary status');
    const drawn = await page.$$eval('svg.graph g.node', (nodes) =>
      nodes.map((n) => n.getAttribute('data-component')),
    );
    expect(new Set(drawn)).toEqual(new Set(COMPONENTS));
    expect(await page.locator('svg.graph path.edge').count()).toBe(5);
    expect(await page.locator('[data-engine-state]').textContent()).toBe('running');
    // The script ran and answered: it marks the page live after each poll.
    await expect.poll(() => page.locator('[data-live]').textContent()).toBe('live');
    expect(errors).toEqual([]);
  });

  it('moves its numbers while data flows, without a reload', async () => {
    expect(await cell('receiver:push:traces', 'accepted')).toBe('0');
    await pipeline?.push('traces', makeSpans(40));
    await expect.poll(() => cell('receiver:push:traces', 'accepted'), { timeout: 10_000 }).toBe('40');
    await expect.poll(() => cell('exporter:file:traces', 'sent'), { timeout: 10_000 }).toBe('40');
    await expect.poll(() => cell('exporter:file/copy:traces', 'sent'), { timeout: 10_000 }).toBe('40');
    await expect
      .poll(() => summary('receiver:push:traces'), { timeout: 10_000 })
      .toBe('accepted 40 · refused 0');
    await pipeline?.push('traces', makeSpans(1200));
    await expect
      .poll(() => summary('exporter:file:traces'), { timeout: 10_000 })
      .toBe('sent 1,240 · queue 0/1,000');
    // The selftelemetry receiver's own numbers move too: its metrics reach the prometheus exporter.
    await expect
      .poll(async () => Number((await cell('exporter:prometheus:metrics', 'sent'))?.replace(/,/g, '')), {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
    await mkdir(join(root, '.tmp/artifacts'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`admin page screenshot: ${SCREENSHOT}`);
  });
});
