// The monitoring guide's HighErrorRate, evaluated inside the pipeline, reaching a real Alertmanager:
// an MCP server (the SDK's McpServer, instrumented with Tributary's hooks) whose tool fails feeds
// mcp receiver -> alertrules connector -> alertmanager exporter; Alertmanager's API shows the alert
// once it has fired, and no longer once the errors stopped and it resolved.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningPipeline, startPipeline } from '../../core/testing/index.js';
import { builtins } from '../../plugins/index.js';
import { searchClient } from '../mcp-search-server.js';
import { type GettableAlert, RealAlertmanager } from '../plugins/exporters/alertmanager/real-alertmanager.js';
import { freePort } from './prometheus-helpers.js';

const ROOT = join(import.meta.dirname, '../..');

/**
 * The guide's rules (config/alerts/mcp-server.rules.yaml) in a temp copy with HighErrorRate's `for`
 * shortened from 2m to 2s and its rate() range from 5m to 10s: with the guide's values the alert
 * would fire after two minutes and resolve five minutes after the errors stop, too long for a test.
 * Everything else (the expression's shape, the threshold, labels, annotations) is the guide's.
 */
async function shortenedRules(dir: string): Promise<string> {
  const guide = await readFile(join(ROOT, 'config/alerts/mcp-server.rules.yaml'), 'utf8');
  const shortened = guide.replace(
    'rate(mcp_tool_executions_total{status="error"}[5m]) > 0.1\n        for: 2m',
    'rate(mcp_tool_executions_total{status="error"}[10s]) > 0.1\n        for: 2s',
  );
  expect(shortened).not.toBe(guide);
  const file = join(dir, 'mcp-server.rules.yaml');
  await writeFile(file, shortened);
  return file;
}

const highErrorRate = (alerts: GettableAlert[]) =>
  alerts.filter((a) => a.labels.alertname === 'HighErrorRate');

describe('HighErrorRate from real MCP traffic to a real Alertmanager', () => {
  let dir: string;
  let alertmanager: RealAlertmanager;
  let pipeline: RunningPipeline;
  let client: Client;
  let failing = true;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alerting-e2e-'));
    alertmanager = await RealAlertmanager.start(await freePort());
    const rules = await shortenedRules(dir);
    // Short cycles so the test waits seconds, not minutes: metrics every 1s, rules every 1s, a
    // firing alert sent again every 2s.
    pipeline = await startPipeline(
      `
receivers:
  mcp: { collection_interval: 1s }
connectors:
  alertrules:
    rule_files: [${rules}]
    evaluation_interval: 1s
    resend_delay: 2s
    external_labels: { cluster: e2e }
exporters:
  alertmanager:
    endpoints: [${alertmanager.url}]
    retry_on_failure: { initial_interval: 100ms, max_interval: 500ms }
service:
  pipelines:
    metrics: { receivers: [mcp], exporters: [alertrules] }
    logs/alerts: { receivers: [alertrules], exporters: [alertmanager] }
`,
      { plugins: builtins },
    );
    client = await searchClient(pipeline.engine, 'fails while the test says so', async () =>
      failing
        ? { content: [{ type: 'text', text: 'upstream timed out' }], isError: true }
        : { content: [{ type: 'text', text: 'found it' }] },
    );
  }, 30_000);

  afterAll(async () => {
    await client?.close();
    await pipeline?.shutdown();
    await alertmanager?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Calls the tool every 50ms until `done` holds for Alertmanager's alerts or `timeoutMs` passes. */
  async function callUntil(done: (alerts: GettableAlert[]) => boolean, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    let alerts = await alertmanager.alerts();
    while (!done(alerts) && Date.now() < deadline) {
      for (let i = 0; i < 5; i++) await client.callTool({ name: 'search', arguments: {} });
      await new Promise((resolve) => setTimeout(resolve, 50));
      alerts = await alertmanager.alerts();
    }
    return alerts;
  }

  it('fires once errors flow for longer than `for`, with the guide labels and annotations', async () => {
    const firstError = Date.now();
    const alerts = highErrorRate(await callUntil((a) => highErrorRate(a).length > 0, 60_000));
    expect(alerts).toHaveLength(1);
    const [alert] = alerts as [GettableAlert];
    expect(alert.labels).toMatchObject({
      alertname: 'HighErrorRate',
      severity: 'warning',
      tool: 'search',
      status: 'error',
      cluster: 'e2e',
    });
    expect(alert.annotations.summary).toBe('High error rate detected');
    expect(alert.annotations.description).toMatch(/^Error rate is \d+(\.\d+)? errors per second$/);
    expect(alert.status.state).toBe('active');
    // startsAt is when it started firing: the rule held for `for` (2s) after the first error counted.
    expect(Date.parse(alert.startsAt)).toBeGreaterThanOrEqual(firstError + 2000);
    expect(Date.parse(alert.startsAt)).toBeLessThanOrEqual(Date.now());
  }, 70_000);

  it('resolves once the tool stops failing', async () => {
    failing = false;
    const alerts = await callUntil((a) => highErrorRate(a).length === 0, 60_000);
    expect(highErrorRate(alerts)).toEqual([]);
  }, 70_000);
});
