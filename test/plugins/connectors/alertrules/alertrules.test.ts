import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { evaluationsSettled } from '../../../../core/rules/runner.js';
import { freePort, type RunningPipeline, startPipeline } from '../../../../core/testing/index.js';
import alertrules from '../../../../plugins/connectors/alertrules/index.js';
import admin from '../../../../plugins/extensions/admin/index.js';
import { McpTraffic } from './mcp-traffic.js';

const STEP = 15_000;
const T0 = Date.UTC(2026, 0, 1);

/** The guide's rules, unchanged, behind the alertrules connector; its alert events go to `sink`. */
const CONFIG = `
receivers: { push: {} }
connectors:
  alertrules:
    rule_files: [examples/prometheus/mcp-alerts.rules.yaml]
    external_labels: { cluster: eu1 }
    external_url: http://tributary.example:9090
exporters: { sink: {} }
service:
  pipelines:
    metrics: { receivers: [push], exporters: [alertrules] }
    logs: { receivers: [alertrules], exporters: [sink] }
`;

const events = (p: RunningPipeline) =>
  p.recorded.items('logs').map((r: ReadableLogRecord) => ({
    body: r.body,
    severity: r.severityText,
    attributes: r.attributes as Record<string, unknown>,
  }));

describe('alertrules connector', () => {
  let pipeline: RunningPipeline | undefined;
  beforeEach(() => {
    // Evaluations run on intervals and read the clock: both are the test's.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], now: T0 });
  });
  afterEach(async () => {
    await pipeline?.shutdown();
    vi.useRealTimers();
  });

  it("fires the guide's HighErrorRate from the mcp receiver's metrics after for, then resolves", async () => {
    pipeline = await startPipeline(CONFIG, { plugins: [alertrules] });
    const traffic = new McpTraffic();
    /** One evaluation interval of traffic: calls come in, the receiver reports, the rules evaluate. */
    const step = async (ok: number, failed: number) => {
      traffic.calls('search', ok, failed);
      await pipeline?.push('metrics', await traffic.collect());
      await vi.advanceTimersByTimeAsync(STEP);
      await evaluationsSettled();
    };
    // 2 failed calls a second: well over the rule's 0.1. rate() has two samples at the second
    // evaluation (T0+30s): pending from then, firing 2m (for) later, at the tenth.
    for (let i = 0; i < 9; i++) await step(30, 30);
    expect(events(pipeline)).toEqual([]);
    await step(30, 30);
    const [fired, ...more] = events(pipeline);
    expect(more).toEqual([]);
    expect(fired).toMatchObject({ body: 'HighErrorRate firing', severity: 'WARN' });
    expect(fired?.attributes).toMatchObject({
      'alert.name': 'HighErrorRate',
      'alert.state': 'firing',
      'alert.labels': {
        alertname: 'HighErrorRate',
        severity: 'warning',
        status: 'error',
        tool: 'search',
        job: 'mcp-server',
        instance: 'i-1',
        otel_scope_name: 'tributary-mcp',
        cluster: 'eu1',
      },
      'alert.annotations': {
        summary: 'High error rate detected',
        // rate() over 5m holding 2m15s of samples, extrapolated as Prometheus does: 270 * 157.5s/135s / 300s.
        description: 'Error rate is 1.05 errors per second',
      },
      'alert.generator_url': expect.stringMatching(
        /^http:\/\/tributary\.example:9090\/graph\?g0\.expr=rate%28mcp_tool_executions_total.*&g0\.tab=1$/,
      ),
    });
    const firedAt = T0 + 10 * STEP;
    expect(fired?.attributes['alert.starts_at']).toBe(new Date(firedAt).toISOString());
    expect(fired?.attributes['alert.ends_at']).toBe(new Date(firedAt + 4 * 60_000).toISOString());

    // Errors stop. Still firing, the alert is sent again once more than resend_delay (1m) has
    // passed: at the fifth evaluation after it fired. It resolves once the 5m rate window holds
    // too few errors.
    for (let i = 0; i < 5; i++) await step(30, 0);
    expect(events(pipeline).map((e) => e.body)).toEqual(['HighErrorRate firing', 'HighErrorRate firing']);
    for (let i = 0; i < 20 && events(pipeline).every((e) => e.attributes['alert.state'] === 'firing'); i++)
      await step(30, 0);
    const resolved = events(pipeline).find((e) => e.attributes['alert.state'] === 'resolved');
    expect(resolved).toMatchObject({ body: 'HighErrorRate resolved', severity: 'INFO' });
    expect(resolved?.attributes['alert.starts_at']).toBe(new Date(firedAt).toISOString());
    // The last increase (between the samples at T0+120s and T0+135s) leaves the 5m window at T0+420s.
    expect(resolved?.attributes['alert.ends_at']).toBe(new Date(T0 + 420_000).toISOString());
  });

  it("shows its rules and their alerts on the admin site, as Prometheus's /rules and /alerts pages", async () => {
    const port = await freePort();
    pipeline = await startPipeline(
      CONFIG.replace(
        'receivers:',
        `extensions: { admin: { endpoint: 127.0.0.1:${port} } }\nreceivers:`,
      ).replace('service:\n', 'service:\n  extensions: [admin]\n'),
      { plugins: [alertrules, admin] },
    );
    const traffic = new McpTraffic();
    for (let i = 0; i < 2; i++) {
      traffic.calls('search', 30, 30);
      await pipeline.push('metrics', await traffic.collect());
      await vi.advanceTimersByTimeAsync(STEP);
      await evaluationsSettled();
    }
    const page = (await (
      await fetch(`http://127.0.0.1:${port}/pages/alertrules/connector/alertrules`)
    ).json()) as {
      groups: { name: string; lastEvaluation: string; rules: { name: string; health: string }[] }[];
      alerts: { name: string; state: string; labels: Record<string, string>; activeAt: string }[];
      window: { series: number };
    };
    expect(page.groups).toEqual([
      expect.objectContaining({
        name: 'mcp_server_alerts',
        interval: 15,
        lastEvaluation: new Date(T0 + 2 * STEP).toISOString(),
        rules: ['HighErrorRate', 'HighResponseTime', 'ServerDown'].map((name) =>
          expect.objectContaining({ name, type: 'alerting', health: 'ok' }),
        ),
      }),
    ]);
    expect(page.alerts).toEqual([
      expect.objectContaining({
        name: 'HighErrorRate',
        state: 'pending',
        activeAt: new Date(T0 + 2 * STEP).toISOString(),
        labels: expect.objectContaining({ alertname: 'HighErrorRate', tool: 'search', status: 'error' }),
      }),
    ]);
    expect(page.window.series).toBeGreaterThan(0);
  });
});
