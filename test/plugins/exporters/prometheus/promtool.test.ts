// Our expositions checked by tools that are not ours: promtool's linter, and a structural check of
// each format's rules (helpers.ts).
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningPipeline, recordMetrics, startPipeline } from '../../../../core/testing/index.js';
import { builtins } from '../../../../plugins/index.js';
import { expositionProblems, freePort, lines, promtoolCheckMetrics, scrape, waitFor } from './helpers.js';

let pipeline: RunningPipeline;
let port: number;

beforeAll(async () => {
  port = await freePort();
  pipeline = await startPipeline(
    `receivers: { push:, selftelemetry: { collection_interval: 50ms } }
exporters: { prometheus: { endpoint: "127.0.0.1:${port}", const_labels: { region: eu } } }
service: { pipelines: { metrics: { receivers: [push, selftelemetry], exporters: [prometheus] } } }
`,
    { plugins: builtins },
  );
  await pipeline.push('metrics', await sample());
  // The exporter's own metrics are in the exposition too, so their names are checked as well.
  await waitFor(
    async () => (await scrape(port)).text,
    (text) => text.includes('tributary_exporter_prometheus_scrapes_total'),
  );
});
afterAll(() => pipeline?.shutdown());

describe('prometheus exporter output', () => {
  it('passes promtool check metrics in text format 0.0.4 with nothing reported', async () => {
    const { text } = await scrape(port);
    expect(text).toContain('tributary_exporter_prometheus_scrapes_total');
    expect(text).toContain('mcp_requests_total{endpoint="quote \\"this\\"\\\\ and\\nthat, ünïcödé ✓"');
    const { code, report } = await promtoolCheckMetrics(text);
    expect(report).toEqual([]);
    expect(code).toBe(0);
    expect(expositionProblems(text, 'text')).toEqual([]);
  });

  it('is well-formed OpenMetrics 1.0; promtool, which reads only text 0.0.4, trips only on counter samples', async () => {
    const { text } = await scrape(port, {
      headers: { accept: 'application/openmetrics-text; version=1.0.0' },
    });
    expect(expositionProblems(text, 'openmetrics')).toEqual([]);
    // promtool check metrics parses its input as text 0.0.4 (every version: promlint uses the text
    // parser). OpenMetrics puts a counter's HELP on the family (`mcp_requests`) and its samples are
    // `mcp_requests_total`, so the text parser sees samples with no HELP. That is all it may report.
    const counters = lines(text)
      .map((l) => /^# TYPE (\S+) counter$/.exec(l)?.[1])
      .filter((name): name is string => name !== undefined);
    expect(counters).toContain('mcp_requests');
    const { report } = await promtoolCheckMetrics(text);
    expect(report.sort()).toEqual(counters.map((c) => `${c}_total no help text`).sort());
  });
});

/** The guide's metrics, odd label values, units, NaN and Infinity, a resource with an array. */
function sample() {
  return recordMetrics(
    (provider) => {
      const meter = provider.getMeter('mcp', '1.0.0');
      const requests = meter.createCounter('mcp_requests_total', { description: 'Total requests' });
      requests.add(3, { method: 'tools/call', endpoint: 'search' });
      requests.add(1, { method: 'tools/call', endpoint: 'quote "this"\\ and\nthat, ünïcödé ✓' });
      const duration = meter.createHistogram('mcp_request_duration_seconds', {
        unit: 's',
        description: 'Request duration',
      });
      for (const v of [0.004, 0.03, 0.2, 0.2, 1.5, 400]) duration.record(v, { method: 'tools/call' });
      meter.createUpDownCounter('mcp_active_connections', { description: 'Active connections' }).add(2);
      meter
        .createCounter('mcp_tool_executions_total', { description: 'Tool executions' })
        .add(1, { tool: 'search', status: 'error' });
      meter.createGauge('process.memory.utilization', { unit: '1', description: 'Memory\nused' }).record(0.5);
      meter.createCounter('network.io', { unit: 'By' }).add(1024, { direction: 'in' });
      meter.createGauge('temperature', { unit: 'Cel' }).record(Number.NaN);
      meter.createObservableGauge('peak', { unit: 'By/s' }).addCallback((r) => r.observe(Infinity));
    },
    {
      resource: resourceFromAttributes({
        'service.name': 'mcp-server',
        'service.instance.id': 'host-1:4000',
        'host.name': 'box',
        'process.command_args': ['node', 'server.js'],
      }),
    },
  );
}
