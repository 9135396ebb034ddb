// examples/grafana and examples/prometheus hold what the monitoring guide shows, in valid form.
// (test/e2e/prometheus.test.ts runs them against a real Prometheus.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '../../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; legendFormat?: string; datasource?: { uid: string } }[];
}

describe('examples/grafana/mcp-dashboard.json', () => {
  const dashboard = JSON.parse(read('examples/grafana/mcp-dashboard.json')) as {
    title: string;
    uid: string;
    schemaVersion: number;
    panels: Panel[];
    templating: { list: { name: string; type: string; query: string }[] };
  };
  const panels = dashboard.panels;
  const byTitle = (title: string) => panels.find((p) => p.title === title);

  it('is a Grafana dashboard: schemaVersion, uid, a Prometheus datasource variable', () => {
    expect(dashboard.title).toBe('MCP Server Monitoring');
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
  });

  it('lays out panels on the 24-column grid, ids unique, every query with a refId on the variable datasource', () => {
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const panel of panels) {
      const { h, w, x, y } = panel.gridPos;
      for (const n of [h, w, x, y]) expect(Number.isInteger(n), panel.title).toBe(true);
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      if (panel.type === 'row') continue;
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      const refIds = panel.targets?.map((t) => t.refId) ?? [];
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
      for (const target of panel.targets ?? []) expect(target.expr, panel.title).not.toBe('');
    }
  });

  it("has the guide's four panels with the guide's expressions and legends", () => {
    const first = (title: string) => byTitle(title)?.targets?.[0];
    expect(first('Request Rate')).toMatchObject({
      expr: 'rate(mcp_requests_total[5m])',
      legendFormat: '{{method}} {{endpoint}}',
    });
    expect(first('Response Time')).toMatchObject({
      expr: 'histogram_quantile(0.95, rate(mcp_request_duration_seconds_bucket[5m]))',
      legendFormat: '95th percentile',
    });
    expect(first('Error Rate')).toMatchObject({
      expr: 'rate(mcp_tool_executions_total{status="error"}[5m])',
      legendFormat: '{{tool}} errors',
    });
    expect(byTitle('Active Connections')).toMatchObject({ type: 'stat' });
    expect(first('Active Connections')).toMatchObject({ expr: 'mcp_active_connections' });
  });

  it('adds latency percentiles and host panels from node_exporter', () => {
    const exprs = panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    for (const q of ['0.5', '0.9', '0.99'])
      expect(exprs).toContain(
        `histogram_quantile(${q}, sum by (le) (rate(mcp_request_duration_seconds_bucket[$__rate_interval])))`,
      );
    for (const series of [
      'node_cpu_seconds_total',
      'node_memory_MemAvailable_bytes',
      'node_filesystem_avail_bytes',
    ])
      expect(
        exprs.some((e) => e.includes(series)),
        series,
      ).toBe(true);
  });
});

describe('examples/prometheus', () => {
  it("holds the guide's alert rules as written there", () => {
    const rules = parse(read('examples/prometheus/mcp-alerts.rules.yaml'));
    expect(rules).toEqual({
      groups: [
        {
          name: 'mcp_server_alerts',
          rules: [
            {
              alert: 'HighErrorRate',
              expr: 'rate(mcp_tool_executions_total{status="error"}[5m]) > 0.1',
              for: '2m',
              labels: { severity: 'warning' },
              annotations: {
                summary: 'High error rate detected',
                description: 'Error rate is {{ $value }} errors per second',
              },
            },
            {
              alert: 'HighResponseTime',
              expr: 'histogram_quantile(0.95, rate(mcp_request_duration_seconds_bucket[5m])) > 1',
              for: '5m',
              labels: { severity: 'warning' },
              annotations: {
                summary: 'High response time detected',
                description: '95th percentile response time is {{ $value }} seconds',
              },
            },
            {
              alert: 'ServerDown',
              expr: 'up{job="mcp-server"} == 0',
              for: '1m',
              labels: { severity: 'critical' },
              annotations: {
                summary: 'MCP Server is down',
                description: 'MCP Server has been down for more than 1 minute',
              },
            },
          ],
        },
      ],
    });
  });

  it('scrapes the exporter as job "mcp-server" on its default port, and node_exporter', () => {
    const config = parse(read('examples/prometheus/prometheus.yml'));
    expect(config.rule_files).toEqual(['mcp-alerts.rules.yaml']);
    expect(config.scrape_configs).toEqual([
      { job_name: 'mcp-server', static_configs: [{ targets: ['127.0.0.1:9464'] }] },
      { job_name: 'node', static_configs: [{ targets: ['127.0.0.1:9100'] }] },
    ]);
  });
});
