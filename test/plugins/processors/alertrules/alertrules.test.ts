import { join } from 'node:path';
import type { GaugeMetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { evaluationsSettled } from '../../../../core/rules/runner.js';
import { type RunningPipeline, startPipeline } from '../../../../core/testing/index.js';
import alertrules from '../../../../plugins/processors/alertrules/index.js';
import { ruleDir } from '../../../core/rules/helpers.js';
import { McpTraffic } from '../../connectors/alertrules/mcp-traffic.js';

const STEP = 15_000;
const T0 = Date.UTC(2026, 0, 1);

const RULES = `groups:
  - name: mcp
    rules:
      - record: tool:mcp_tool_executions:rate1m
        expr: sum by (tool, status) (rate(mcp_tool_executions_total[1m]))
      - alert: ToolFailing
        expr: tool:mcp_tool_executions:rate1m{status="error"} > 0
        labels: { severity: ticket }
`;

/** The gauges in what the sink got that the rules made, as `name{labels} value` lines. */
function ruleOutputs(batches: ResourceMetrics[][]): string[] {
  const lines: string[] = [];
  for (const batch of batches)
    for (const rm of batch)
      for (const sm of rm.scopeMetrics) {
        if (sm.scope.name !== 'tributary/alertrules') continue;
        for (const metric of sm.metrics as GaugeMetricData[])
          for (const p of metric.dataPoints) {
            const labels = Object.entries(p.attributes)
              .sort()
              .map(([k, v]) => `${k}="${v}"`)
              .join(',');
            lines.push(`${metric.descriptor.name}{${labels}} ${p.value}`);
          }
      }
  return lines;
}

describe('alertrules processor', () => {
  let pipeline: RunningPipeline | undefined;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], now: T0 });
  });
  afterEach(async () => {
    await pipeline?.shutdown();
    vi.useRealTimers();
  });

  it('passes metrics on unchanged and adds recording rule results, ALERTS and ALERTS_FOR_STATE', async () => {
    const dir = ruleDir({ 'mcp.rules.yaml': RULES });
    pipeline = await startPipeline(
      `
receivers: { push: {} }
processors:
  alertrules: { rule_files: [${join(dir, '*.rules.yaml')}], evaluation_interval: 15s }
exporters: { sink: {} }
service:
  pipelines:
    metrics: { receivers: [push], processors: [alertrules], exporters: [sink] }
`,
      { plugins: [alertrules] },
    );
    const traffic = new McpTraffic();
    traffic.calls('search', 15, 15);
    const first = await traffic.collect();
    await pipeline.push('metrics', first);
    // Passed on as it came: the very batch, not a copy.
    expect(pipeline.recorded.of('metrics')[0]).toBe(first);
    await vi.advanceTimersByTimeAsync(STEP);
    await evaluationsSettled();
    traffic.calls('search', 15, 15);
    await pipeline.push('metrics', await traffic.collect());
    await vi.advanceTimersByTimeAsync(STEP);
    await evaluationsSettled();

    const at = (T0 + 2 * STEP) / 1000;
    // At T0+30s the 1m window holds both samples, 15s apart with 15 more calls of each status:
    // extrapolated 7.5s before the first and 15s after the last, 37.5 calls a minute, 0.625/s.
    expect(ruleOutputs(pipeline.recorded.of('metrics')).sort()).toEqual([
      `ALERTS_FOR_STATE{alertname="ToolFailing",severity="ticket",status="error",tool="search"} ${at}`,
      'ALERTS{alertname="ToolFailing",alertstate="firing",severity="ticket",status="error",tool="search"} 1',
      'tool:mcp_tool_executions:rate1m{status="error",tool="search"} 0.625',
      'tool:mcp_tool_executions:rate1m{status="success",tool="search"} 0.625',
    ]);
  });

  it('refuses to start with a rule file that does not parse, saying where', async () => {
    const dir = ruleDir({ 'bad.rules.yaml': RULES.replace('> 0', '> > 0') });
    const error = await startPipeline(
      `
receivers: { push: {} }
processors: { alertrules: { rule_files: [${join(dir, 'bad.rules.yaml')}] } }
exporters: { sink: {} }
service: { pipelines: { metrics: { receivers: [push], processors: [alertrules], exporters: [sink] } } }
`,
      { plugins: [alertrules] },
    ).catch((e: unknown) => e);
    expect(String(error)).toContain(
      `${join(dir, 'bad.rules.yaml')}:7:65: TRB_PROMQL_PARSE processors.alertrules.rule_files:`,
    );
  });
});
