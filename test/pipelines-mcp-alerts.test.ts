// pipelines/mcp-alerts.yaml run in-process with a real MCP SDK server whose tool keeps failing: the
// guide's HighErrorRate goes pending (the connector's admin page, as Prometheus's /alerts shows it:
// a pending alert is never notified, so it has no log record) and then firing (its alert event on the
// pipeline's stdout exporter, stderr as shipped). Changed in a temporary copy only, to keep the test
// short: HighErrorRate's `for` (2m -> 15s), evaluation_interval (15s -> 1s), and the admin extension
// added to read the page. Alertmanager is nowhere (a free port): its exporter just retries.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../core/testing/index.js';
import { Engine } from '../main.js';
import { searchClient } from './mcp-search-server.js';

const root = join(import.meta.dirname, '..');
const RULE_FILES = ['mcp-server.rules.yaml', 'latency.rules.yaml', 'errors.rules.yaml'];

/** The shipped pipeline and its rule files side by side in a temp dir, with the changes above. */
function temporaryCopy(adminPort: number): { dir: string; pipeline: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-alerts-'));
  mkdirSync(join(dir, 'pipelines'));
  mkdirSync(join(dir, 'config/alerts'), { recursive: true });
  for (const file of RULE_FILES)
    copyFileSync(join(root, 'config/alerts', file), join(dir, 'config/alerts', file));
  const rules = join(dir, 'config/alerts/mcp-server.rules.yaml');
  const highErrorRate = /(- alert: HighErrorRate\n(?:.*\n)*?\s+for: )2m/;
  expect(readFileSync(rules, 'utf8')).toMatch(highErrorRate);
  writeFileSync(
    rules,
    readFileSync(rules, 'utf8').replace(highErrorRate, (_, head: string) => `${head}15s`),
  );
  const shipped = readFileSync(join(root, 'pipelines/mcp-alerts.yaml'), 'utf8');
  expect(shipped).toContain('evaluation_interval: 15s');
  const pipeline = join(dir, 'pipelines/mcp-alerts.yaml');
  writeFileSync(
    pipeline,
    shipped
      .replace('evaluation_interval: 15s', 'evaluation_interval: 1s')
      .replace('receivers:', `extensions: { admin: { endpoint: "127.0.0.1:${adminPort}" } }\nreceivers:`)
      .replace('service:\n', 'service:\n  extensions: [admin]\n'),
  );
  return { dir, pipeline };
}

interface AlertsPage {
  alerts: { name: string; state: string; labels: Record<string, string> }[];
}

describe('pipelines/mcp-alerts.yaml in-process', () => {
  let dir: string;
  let adminPort: number;
  let engine: Engine;
  let client: Client;
  const stderr: string[] = [];

  beforeAll(async () => {
    adminPort = await freePort();
    const copy = temporaryCopy(adminPort);
    dir = copy.dir;
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
    process.env.ALERTMANAGER_ENDPOINT = `http://127.0.0.1:${await freePort()}`;
    try {
      engine = await Engine.fromFile(copy.pipeline);
    } finally {
      delete process.env.ALERTMANAGER_ENDPOINT;
    }
    await engine.start();
    client = await searchClient(engine, 'always fails', async () => {
      throw new Error('upstream timed out');
    });
  }, 30_000);

  afterAll(async () => {
    await client?.close();
    await engine?.shutdown({ timeoutMs: 100 });
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  const firingLines = () =>
    stderr
      .join('')
      .split('\n')
      .filter((l) => l.includes('HighErrorRate firing'));
  async function highErrorRate(): Promise<AlertsPage['alerts']> {
    const res = await fetch(`http://127.0.0.1:${adminPort}/pages/alertrules/connector/alertrules`);
    return ((await res.json()) as AlertsPage).alerts.filter((a) => a.name === 'HighErrorRate');
  }
  /** Calls the failing tool until `done` holds (or a minute passes). */
  async function failUntil(done: () => Promise<boolean> | boolean): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!(await done()) && Date.now() < deadline) {
      await client.callTool({ name: 'search', arguments: {} });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('goes pending, then fires with an alert event on stderr', async () => {
    let alerts: AlertsPage['alerts'] = [];
    await failUntil(async () => {
      alerts = await highErrorRate();
      return alerts.length > 0;
    });
    expect(alerts).toEqual([
      expect.objectContaining({
        state: 'pending',
        labels: expect.objectContaining({ alertname: 'HighErrorRate', status: 'error', severity: 'warning' }),
      }),
    ]);
    expect(firingLines()).toEqual([]);

    await failUntil(() => firingLines().length > 0);
    const [line] = firingLines();
    expect(line).toContain('HighErrorRate firing');
    expect(line).toMatch(/Error rate is [0-9.e+-]+ errors per second/);
    expect((await highErrorRate()).map((a) => a.state)).toEqual(['firing']);
  }, 130_000);
});
