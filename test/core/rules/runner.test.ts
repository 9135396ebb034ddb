import { MeterProvider } from '@opentelemetry/sdk-metrics';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AlertRulesConfig } from '../../../core/rules/config.js';
import { retentionMs } from '../../../core/rules/index.js';
import { AlertRulesRunner, evaluationsSettled } from '../../../core/rules/runner.js';
import { OnDemandMetricReader } from '../../../core/sdk/readers.js';
import { recordMetrics } from '../../../core/testing/index.js';
import { groupsOf } from './helpers.js';

/** Every data point's value of a self-telemetry metric, by its attributes. */
async function telemetry(reader: OnDemandMetricReader, name: string) {
  const collected = await reader.read();
  const metric = collected?.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  return metric?.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value }));
}

describe('the rules runner', () => {
  it('counts evaluations, failures and what the window refused; logs a failing rule once', async () => {
    const groups = groupsOf(`groups:
  - name: g
    rules:
      - record: r
        expr: requests_total
        labels: { s: same }
      - alert: Many
        expr: requests_total > 0
`);
    const reader = new OnDemandMetricReader();
    const provider = new MeterProvider({ readers: [reader] });
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const config = AlertRulesConfig.parse({ rule_files: ['unused'], max_series: 3 });
    const evaluations: number[] = [];
    const runner = new AlertRulesRunner(
      groups,
      config,
      {
        logger,
        meter: provider.getMeter('test'),
        attributes: { component: 'alertrules' },
      },
      async (evaluation) => void evaluations.push(evaluation.t),
    );
    runner.ingest(
      await recordMetrics((p) => {
        const counter = p.getMeter('m').createCounter('requests');
        for (const s of ['a', 'b', 'c', 'd']) counter.add(1, { s });
      }),
    );
    // Three series fit: the fourth is refused.
    expect(runner.window.stats()).toMatchObject({ series: 3, refusedSamples: 1 });
    const [group] = runner.groups;
    const now = Date.now();
    await runner.evaluate(group as NonNullable<typeof group>, now);
    await runner.evaluate(group as NonNullable<typeof group>, now + 15_000);
    expect(evaluations).toEqual([now, now + 15_000]);

    // The full window refuses the alerts' ALERTS and ALERTS_FOR_STATE too (3 + 3 at each evaluation);
    // the recording rule fails, its three outputs having the same labels once `s` is set.
    expect(runner.window.stats()).toMatchObject({ series: 3, refusedSamples: 13 });
    expect(await telemetry(reader, 'tributary_alertrules_rule_evaluations')).toEqual([
      { attributes: { component: 'alertrules', group: 'g' }, value: 4 },
    ]);
    expect(await telemetry(reader, 'tributary_alertrules_rule_evaluation_failures')).toEqual([
      { attributes: { component: 'alertrules', group: 'g' }, value: 2 },
    ]);
    expect(await telemetry(reader, 'tributary_alertrules_window_refused_samples')).toContainEqual({
      attributes: { component: 'alertrules', reason: 'max_series' },
      value: 13,
    });
    const warnings = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'Evaluating rule failed');
    expect(warnings).toEqual([
      expect.objectContaining({
        rule: 'r',
        error: 'vector contains metrics with the same labelset after applying rule labels',
      }),
    ]);
    await runner.stop();
    await provider.shutdown();
  });

  it('lets other work run between the rules of a group; evaluationsSettled() waits for the group', async () => {
    const groups = groupsOf(`groups:
  - name: g
    rules:
      - record: a
        expr: vector(1)
      - record: b
        expr: vector(2)
`);
    const provider = new MeterProvider();
    const config = AlertRulesConfig.parse({ rule_files: ['unused'] });
    const happened: string[] = [];
    const runner = new AlertRulesRunner(
      groups,
      config,
      { logger: pino({ level: 'silent' }), meter: provider.getMeter('test'), attributes: {} },
      async (evaluation) => void happened.push(`sent ${evaluation.samples.map((s) => s.v).join()}`),
    );
    const [group] = runner.groups;
    void runner.evaluate(group as NonNullable<typeof group>, Date.now());
    setImmediate(() => happened.push('other work'));
    await evaluationsSettled();
    expect(happened).toEqual(['other work', 'sent 1,2']);
    await runner.stop();
    await provider.shutdown();
  });
});

describe('retention', () => {
  it('is the furthest any rule reads back (ranges, subqueries, offsets, query_offset) plus the 5m lookback', () => {
    const groups = groupsOf(`groups:
  - name: a
    rules:
      - record: r1
        expr: rate(x[5m])
      - record: r2
        expr: max_over_time(rate(x[2m] offset 1m)[30m:1m]) + y offset 10m
  - name: b
    query_offset: 1h
    rules:
      - record: r3
        expr: z
`);
    // a: 30m + 2m + 1m = 33m; b: 1h; plus 5m.
    expect(retentionMs(groups)).toBe(65 * 60_000);
    expect(retentionMs(groups.slice(0, 1))).toBe(38 * 60_000);
  });
});
