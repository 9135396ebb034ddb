import { createHash } from 'node:crypto';
import type { Attributes } from '@opentelemetry/api';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { TributaryErrors } from '../../../../core/errors.js';
import { type RunningPipeline, recordMetrics, startPipeline } from '../../../../core/testing/index.js';
import { builtins } from '../../../../plugins/index.js';
import metricstransform from '../../../../plugins/processors/metricstransform/index.js';
import { startProcessor } from '../start.js';

let pipeline: RunningPipeline | undefined;
afterEach(() => pipeline?.shutdown());

/** A pipeline push -> metricstransform (with these transforms) -> sink. */
const start = (transforms: string) =>
  startProcessor(metricstransform, `transforms:\n${transforms.replace(/^/gm, '  ')}`, ['metrics']);

/** A gauge `cpu` with a point per CPU and mode (the utilization hostmetrics reports), and a counter `requests`. */
const hostLike = () =>
  recordMetrics((provider) => {
    const meter = provider.getMeter('host');
    meter.createObservableGauge('cpu', { unit: '1' }).addCallback((result) => {
      result.observe(0.5, { cpu: 0, mode: 'user' });
      result.observe(0.1, { cpu: 0, mode: 'system' });
      result.observe(0.4, { cpu: 0, mode: 'idle' });
      result.observe(0.2, { cpu: 1, mode: 'user' });
      result.observe(0.8, { cpu: 1, mode: 'idle' });
    });
    meter.createCounter('requests').add(3, { route: '/a' });
  });

/** What the sink got: name (unit) -> points as [attributes, value]. */
function received(p: RunningPipeline): Record<string, [Attributes, unknown][]> {
  const out: Record<string, [Attributes, unknown][]> = {};
  for (const rm of p.recorded.items('metrics') as ResourceMetrics[])
    for (const scope of rm.scopeMetrics)
      for (const m of scope.metrics)
        out[`${m.descriptor.name} (${m.descriptor.unit})`] = m.dataPoints.map((d) => [d.attributes, d.value]);
  return out;
}

describe('metricstransform processor', () => {
  it('inserts a copy that shares no point with its original: a later processor changes each once', async () => {
    pipeline = await startPipeline(
      `receivers: { push: {} }
processors:
  metricstransform: { transforms: [{ include: requests, action: insert, new_name: requests_copy }] }
  attributes: { actions: [{ key: route, action: hash }] }
exporters: { sink: {} }
service:
  pipelines: { metrics: { receivers: [push], processors: [metricstransform, attributes], exporters: [sink] } }
`,
      { plugins: builtins },
    );
    await pipeline.push('metrics', await hostLike());
    const once = createHash('sha256').update('/a').digest('hex');
    const got = received(pipeline);
    expect(got['requests ()']?.[0]?.[0]).toEqual({ route: once });
    expect(got['requests_copy ()']?.[0]?.[0]).toEqual({ route: once });
  });

  it('inserts a copy of the matching points, aggregated and scaled: the busy CPU percentage', async () => {
    pipeline = await start(`
- include: cpu
  action: insert
  new_name: cpu_busy
  new_unit: "%"
  match_type: regexp
  experimental_match_labels: { mode: "user|system" }
  operations:
    - { action: aggregate_labels, label_set: [cpu], aggregation_type: sum }
    - { action: aggregate_labels, label_set: [], aggregation_type: mean }
    - { action: experimental_scale_value, experimental_scale: 100 }`);
    await pipeline.push('metrics', await hostLike());
    const got = received(pipeline);
    expect(got['cpu_busy (%)']).toHaveLength(1);
    expect(got['cpu_busy (%)']?.[0]?.[0]).toEqual({});
    expect(got['cpu_busy (%)']?.[0]?.[1]).toBeCloseTo(((0.5 + 0.1 + 0.2) / 2) * 100, 10);
    expect(got['cpu (1)']).toHaveLength(5); // the original is untouched
  });

  it('renames a metric and its labels, adds and deletes labels, drops points by label value', async () => {
    pipeline = await start(`
- include: cpu
  action: update
  new_name: cpu_share
  operations:
    - { action: update_label, label: mode, new_label: state }
    - { action: add_label, new_label: host, new_value: h1 }
    - { action: delete_label_value, label: state, label_value: idle }
    - { action: delete_label, label: cpu }`);
    await pipeline.push('metrics', await hostLike());
    const got = received(pipeline);
    expect(got['cpu (1)']).toBeUndefined();
    expect(got['cpu_share (1)']).toEqual([
      [{ state: 'user', host: 'h1' }, 0.5],
      [{ state: 'system', host: 'h1' }, 0.1],
      [{ state: 'user', host: 'h1' }, 0.2],
    ]);
    expect(got['requests ()']).toEqual([[{ route: '/a' }, 3]]);
  });

  it('aggregates with max and min', async () => {
    pipeline = await start(`
- { include: cpu, action: insert, new_name: cpu_max, operations: [{ action: aggregate_labels, label_set: [mode], aggregation_type: max }] }
- { include: cpu, action: insert, new_name: cpu_min, operations: [{ action: aggregate_labels, label_set: [], aggregation_type: min }] }`);
    await pipeline.push('metrics', await hostLike());
    const got = received(pipeline);
    expect(got['cpu_max (1)']).toEqual([
      [{ mode: 'user' }, 0.5],
      [{ mode: 'system' }, 0.1],
      [{ mode: 'idle' }, 0.8],
    ]);
    expect(got['cpu_min (1)']).toEqual([[{}, 0.1]]);
  });

  it('rejects an insert without new_name and a bad regular expression, located', async () => {
    const err = await start(`
- { include: cpu, action: insert }
- { include: "cpu(", match_type: regexp, action: update }`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TributaryErrors);
    const text = String((err as Error).message);
    expect(text).toContain('TRB_CONFIG_INVALID_VALUE processors.metricstransform.transforms[0].new_name');
    expect(text).toContain('action insert needs new_name');
    expect(text).toContain('processors.metricstransform.transforms[1].include');
    expect(text).toContain('"cpu(" is not a valid regular expression');
  });
});
