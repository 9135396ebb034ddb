// Tests a third-party plugin the way its author would: against `tributary-telemetry/testing`.
import { builtins } from 'tributary-telemetry';
import { checkConformance, makeLogs, makeSpans, startPipeline } from 'tributary-telemetry/testing';
import { describe, expect, it } from 'vitest';
import addAttribute from '../index.js';

const STAMPED = [
  { index: 0, env: 'prod' },
  { index: 1, env: 'prod' },
];
const PLAIN = [{ index: 0 }, { index: 1 }];

/** Pushes two spans through the pipelines of `yaml`; the attributes `sink/stamped` and `sink/plain` exported. */
async function stampedAndPlain(yaml) {
  const pipeline = await startPipeline(yaml, { plugins: [...builtins, addAttribute] });
  await pipeline.push('traces', makeSpans(2));
  await pipeline.shutdown();
  const attributes = (id) => pipeline.recorded.items('traces', id).map((s) => s.attributes);
  return { stamped: attributes('sink/stamped'), plain: attributes('sink/plain') };
}

describe('add_attribute processor', () => {
  it('passes the conformance checks for every signal', async () => {
    const checked = await checkConformance(addAttribute, { config: { key: 'env', value: 'test' } });
    expect(checked).toEqual(['traces', 'metrics', 'logs']);
  });

  it('stamps spans and logs in a real pipeline, leaving existing values alone', async () => {
    const pipeline = await startPipeline(
      `receivers: { push: }
processors: { add_attribute: { key: index, value: stamped } , add_attribute/env: { key: env, value: prod } }
exporters: { sink: }
service:
  pipelines:
    traces: { receivers: [push], processors: [add_attribute, add_attribute/env], exporters: [sink] }
    logs: { receivers: [push], processors: [add_attribute/env], exporters: [sink] }
`,
      { plugins: [addAttribute] },
    );
    await pipeline.push('traces', makeSpans(2));
    await pipeline.push('logs', makeLogs(['hi']));
    await pipeline.shutdown();
    expect(pipeline.recorded.items('traces').map((s) => s.attributes)).toEqual([
      { index: 0, env: 'prod' },
      { index: 1, env: 'prod' },
    ]);
    expect(pipeline.recorded.items('logs')[0]?.attributes).toEqual({ env: 'prod' });
  });

  it('stamps only its own pipeline when a receiver feeds another, even behind batch', async () => {
    const exported = await stampedAndPlain(`receivers: { push: }
processors: { batch: , add_attribute: { key: env, value: prod } }
exporters: { sink/stamped: , sink/plain: }
service:
  pipelines:
    traces/stamped: { receivers: [push], processors: [batch, add_attribute], exporters: [sink/stamped] }
    traces/plain: { receivers: [push], exporters: [sink/plain] }
`);
    expect(exported).toEqual({ stamped: STAMPED, plain: PLAIN });
  });

  it('stamps only the pipeline a forward connector feeds, not the one the connector exports from', async () => {
    const exported = await stampedAndPlain(`receivers: { push: }
processors: { batch: , add_attribute: { key: env, value: prod } }
exporters: { sink/stamped: , sink/plain: }
connectors: { forward: }
service:
  pipelines:
    traces/in: { receivers: [push], exporters: [sink/plain, forward] }
    traces/stamped: { receivers: [forward], processors: [batch, add_attribute], exporters: [sink/stamped] }
`);
    expect(exported).toEqual({ stamped: STAMPED, plain: PLAIN });
  });

  it('rejects a config without a key, saying where', async () => {
    await expect(
      startPipeline(
        `receivers: { push: }
processors: { add_attribute: { value: 1 } }
exporters: { sink: }
service: { pipelines: { traces: { receivers: [push], processors: [add_attribute], exporters: [sink] } } }
`,
        { plugins: [addAttribute] },
      ),
    ).rejects.toThrow(
      /pipeline\.yaml:2:15: TRB_CONFIG_INVALID_TYPE processors\.add_attribute\.key: missing required key/,
    );
  });
});
