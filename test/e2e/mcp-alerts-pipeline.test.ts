// pipelines/mcp-alerts.yaml as shipped, in-process with a real MCP server and a real Alertmanager: a
// tool that keeps failing makes errors.rules.yaml's FrequentErrors (the guide's ErrorTracker rule:
// more than 10 errors of a type in 5 minutes, no `for`) appear in Alertmanager's API.
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../main.js';
import { searchClient } from '../mcp-search-server.js';
import { type GettableAlert, RealAlertmanager } from '../plugins/exporters/alertmanager/real-alertmanager.js';
import { freePort } from './prometheus-helpers.js';

const PIPELINE = join(import.meta.dirname, '../../pipelines/mcp-alerts.yaml');
const frequentErrors = (alerts: GettableAlert[]) =>
  alerts.filter((a) => a.labels.alertname === 'FrequentErrors');

describe('pipelines/mcp-alerts.yaml', () => {
  let alertmanager: RealAlertmanager;
  let engine: Engine;
  let client: Client;

  beforeAll(async () => {
    alertmanager = await RealAlertmanager.start(await freePort());
    // The file as shipped; only where its Alertmanager is comes from the environment, as it says.
    process.env.ALERTMANAGER_ENDPOINT = alertmanager.url;
    try {
      engine = await Engine.fromFile(PIPELINE);
    } finally {
      delete process.env.ALERTMANAGER_ENDPOINT;
    }
    await engine.start();
    client = await searchClient(engine, 'always fails', async () => ({
      content: [{ type: 'text', text: 'upstream timed out' }],
      isError: true,
    }));
  }, 30_000);

  afterAll(async () => {
    await client?.close();
    await engine?.shutdown();
    await alertmanager?.close();
  });

  it("notifies Alertmanager of FrequentErrors once a tool's errors pass 10 in 5 minutes", async () => {
    // Errors keep coming, so errortracking's errors_total grows across its collections (every 10s)
    // and the rules (every 15s) see it increase.
    const deadline = Date.now() + 120_000;
    let alerts = await alertmanager.alerts();
    while (frequentErrors(alerts).length === 0 && Date.now() < deadline) {
      await client.callTool({ name: 'search', arguments: {} });
      await new Promise((resolve) => setTimeout(resolve, 200));
      alerts = await alertmanager.alerts();
    }
    const [alert] = frequentErrors(alerts);
    expect(alert?.labels).toMatchObject({
      alertname: 'FrequentErrors',
      severity: 'warning',
      error_type: 'tool_error',
    });
    expect(alert?.annotations.summary).toBe('High error rate detected');
    expect(alert?.annotations.description).toMatch(/^\d+ tool_error errors in the last 5 minutes$/);
  }, 130_000);
});
