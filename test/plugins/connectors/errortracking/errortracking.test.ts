import { readFileSync } from 'node:fs';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfigText } from '../../../../core/config/load.js';
import { Engine } from '../../../../core/engine.js';
import { EngineStatus } from '../../../../core/status.js';
import { freePort, recordLogs, recordSpans, startPipeline } from '../../../../core/testing/index.js';
import errortracking from '../../../../plugins/connectors/errortracking/index.js';
import type { ErrorSummary } from '../../../../plugins/connectors/errortracking/tracker.js';
import { builtins } from '../../../../plugins/index.js';

const CONFIG = (settings: string) => `
receivers:
  push: {}
connectors:
  errortracking: ${settings}
exporters:
  sink: {}
  sink/metrics: {}
service:
  pipelines:
    traces: { receivers: [push], exporters: [errortracking] }
    logs/in: { receivers: [push], exporters: [errortracking] }
    logs: { receivers: [errortracking], exporters: [sink] }
    metrics: { receivers: [errortracking], exporters: [sink/metrics] }
`;

/** Spans that failed with `type` (an exception event and status ERROR), one per message. */
function failedSpans(type: string, messages: string[], tool = 'search') {
  return recordSpans((provider) => {
    const tracer = provider.getTracer('test');
    for (const message of messages) {
      const span = tracer.startSpan('tools/call', { attributes: { 'gen_ai.tool.name': tool } });
      span.recordException({ name: type, message });
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      span.end();
    }
  });
}

function errorLogs(type: string | undefined, messages: string[], severityNumber = 17) {
  return recordLogs((provider) => {
    const logger = provider.getLogger('test');
    for (const body of messages)
      logger.emit({
        body,
        severityNumber,
        severityText: 'ERROR',
        attributes: type ? { 'error.type': type } : {},
      });
  });
}

const start = (settings: string) => startPipeline(CONFIG(settings), { plugins: [errortracking] });
const summaryOf = (p: Awaited<ReturnType<typeof start>>) =>
  p.engine.sharedOf<{ summary(): ErrorSummary }>('errortracking')?.summary();

function errorsTotal(metrics: ResourceMetrics[]) {
  const last = metrics.at(-1);
  const metric = last?.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'errors');
  return Object.fromEntries(
    (metric?.dataPoints ?? []).map((p) => [String(p.attributes.error_type), p.value as number]),
  );
}

describe('errortracking connector', () => {
  afterEach(() => void vi.useRealTimers());

  it('counts errors from spans and logs by type and keeps the last N of each, oldest first', async () => {
    const p = await start('{ recent: 2, group_by: [gen_ai.tool.name] }');
    try {
      await p.push('traces', failedSpans('TimeoutError', ['t1', 't2', 't3']));
      await p.push(
        'traces',
        recordSpans((provider) => provider.getTracer('t').startSpan('fine').end()),
      );
      await p.push('logs', errorLogs('DbError', ['db down']), 'push');
      await p.push('logs', errorLogs(undefined, ['no type']));
      await p.push('logs', errorLogs('Ignored', ['just a warning'], 13));

      const summary = summaryOf(p);
      expect(summary?.total_errors).toBe(5);
      expect(summary?.error_types).toEqual({ TimeoutError: 3, DbError: 1, unknown: 1 });
      expect(summary?.recent_errors.TimeoutError?.map((e) => e.message)).toEqual(['t2', 't3']);
      const latest = summary?.recent_errors.TimeoutError?.[1];
      expect(latest?.context['gen_ai.tool.name']).toBe('search');
      expect(latest?.context.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(latest?.context.span_id).toMatch(/^[0-9a-f]{16}$/);
      expect(Date.parse(latest?.timestamp ?? '')).not.toBeNaN();
      expect(summary?.recent_errors.DbError).toEqual([
        { message: 'db down', timestamp: expect.any(String), context: {} },
      ]);
    } finally {
      await p.shutdown();
    }
    expect(errorsTotal(p.recorded.items('metrics', 'sink/metrics'))).toEqual({
      TimeoutError: 3,
      DbError: 1,
      unknown: 1,
    });
  });

  it('sends exactly one alert per type and window once the threshold is passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const p = await start('{ alert_threshold: 3, window: 1m }');
    try {
      await p.push('traces', failedSpans('RateLimited', ['a', 'b', 'c']));
      expect(p.recorded.items('logs')).toHaveLength(0);

      await p.push('traces', failedSpans('RateLimited', ['d', 'e', 'f', 'g']));
      const alerts = p.recorded.items('logs');
      expect(alerts).toHaveLength(1);
      expect(alerts[0]?.body).toBe('High error rate detected: RateLimited');
      expect(alerts[0]?.severityNumber).toBeGreaterThanOrEqual(17);
      expect(alerts[0]?.attributes).toEqual({
        error_type: 'RateLimited',
        error_count: 4,
        recent_message: 'd',
      });

      vi.setSystemTime(new Date('2026-01-01T00:00:59Z'));
      await p.push('traces', failedSpans('RateLimited', ['h', 'i', 'j', 'k']));
      expect(p.recorded.items('logs')).toHaveLength(1);

      // A new window: four more errors pass the threshold again, once.
      vi.setSystemTime(new Date('2026-01-01T00:01:30Z'));
      await p.push('traces', failedSpans('RateLimited', ['l', 'm', 'n']));
      expect(p.recorded.items('logs')).toHaveLength(1);
      await p.push('traces', failedSpans('RateLimited', ['o', 'p']));
      expect(p.recorded.items('logs').map((r) => r.attributes.recent_message)).toEqual(['d', 'o']);
    } finally {
      await p.shutdown();
    }
  });

  it('counts types past max_types under _OTHER', async () => {
    const p = await start('{ max_types: 2 }');
    try {
      await p.push('logs', errorLogs('A', ['a']));
      await p.push('logs', errorLogs('B', ['b']));
      await p.push('logs', errorLogs('C', ['c1', 'c2']));
      await p.push('logs', errorLogs('D', ['d']));
      await p.push('logs', errorLogs('A', ['a2']));
      expect(summaryOf(p)?.error_types).toEqual({ A: 2, B: 1, _OTHER: 3 });
      expect(summaryOf(p)?.recent_errors._OTHER?.map((e) => [e.message, e.context['error.type']])).toEqual([
        ['c1', 'C'],
        ['c2', 'C'],
        ['d', 'D'],
      ]);
      const own = await p.engine.registry.container.resolve(EngineStatus).selfMetrics();
      const overflow = own.scopeMetrics
        .flatMap((s) => s.metrics)
        .find((m) => m.descriptor.name === 'tributary_errortracking_overflow_errors');
      expect(overflow?.dataPoints.map((d) => [d.attributes.component, d.value])).toEqual([
        ['errortracking', 3],
      ]);
    } finally {
      await p.shutdown();
    }
    expect(errorsTotal(p.recorded.items('metrics', 'sink/metrics'))).toEqual({ A: 2, B: 1, _OTHER: 3 });
  });

  it('runs the example of its README', async () => {
    const readme = readFileSync(
      new URL('../../../../plugins/connectors/errortracking/README.md', import.meta.url),
      'utf8',
    );
    const example = readme.slice(readme.indexOf('## Example')).match(/```yaml\n([\s\S]*?)```/)?.[1] ?? '';
    expect(example).toContain('errortracking:');
    const engine = new Engine(parseConfigText(example, 'README.md'), { plugins: builtins });
    const { graph } = await engine.validate();
    expect(graph).toBeDefined();
  });

  it('rejects unknown keys and applies the defaults', () => {
    expect(errortracking.config.parse({})).toEqual({
      group_by: [],
      recent: 5,
      alert_threshold: 10,
      window: 300_000,
      max_types: 1000,
      collection_interval: 10_000,
    });
    expect(errortracking.config.safeParse({ threshold: 3 }).success).toBe(false);
  });
});

describe('errortracking with the prometheus exporter and the admin extension', () => {
  it('shows errors_total on a scrape and the summary as an admin page', async () => {
    const [metricsPort, adminPort] = [await freePort(), await freePort()];
    const p = await startPipeline(
      `
receivers:
  push: {}
connectors:
  errortracking: {}
exporters:
  prometheus: { endpoint: 127.0.0.1:${metricsPort} }
extensions:
  admin: { endpoint: 127.0.0.1:${adminPort} }
service:
  extensions: [admin]
  pipelines:
    logs: { receivers: [push], exporters: [errortracking] }
    metrics: { receivers: [errortracking], exporters: [prometheus] }
`,
      { plugins: builtins },
    );
    try {
      await p.push('logs', errorLogs('ToolError', ['tool failed', 'tool failed again']));
      const scrape = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(scrape).toMatch(/^errors_total\{error_type="ToolError"[^}]*\} 2$/m);

      const page = await fetch(`http://127.0.0.1:${adminPort}/pages/errors/errortracking`);
      expect(page.status).toBe(200);
      expect(await page.json()).toEqual({
        total_errors: 2,
        error_types: { ToolError: 2 },
        recent_errors: {
          ToolError: [
            { message: 'tool failed', timestamp: expect.any(String), context: {} },
            { message: 'tool failed again', timestamp: expect.any(String), context: {} },
          ],
        },
      });
    } finally {
      await p.shutdown();
    }
  });
});
