import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { TributaryErrors } from '../../../../core/errors.js';
import {
  makeLogs,
  type RunningPipeline,
  recordMetrics,
  recordSpans,
} from '../../../../core/testing/index.js';
import resource from '../../../../plugins/processors/resource/index.js';
import { startProcessor } from '../start.js';

let pipeline: RunningPipeline | undefined;
afterEach(() => pipeline?.shutdown());

const start = (actions: string) => startProcessor(resource, `attributes: ${actions}`);

const original = resourceFromAttributes({
  'service.name': 'unknown_service',
  'host.name': 'h1',
  secret: 's3',
});

describe('resource processor', () => {
  it('sets service.name, inserts only what is missing, deletes, on spans, metrics and logs', async () => {
    pipeline = await start(`[
      { key: service.name, value: checkout, action: upsert },
      { key: host.name, value: other, action: insert },
      { key: deployment.environment, value: prod, action: insert },
      { key: secret, action: delete }]`);
    const spans = recordSpans((p) => p.getTracer('t').startSpan('s').end(), { resource: original });
    await pipeline.push('traces', spans);
    await pipeline.push(
      'metrics',
      await recordMetrics((p) => p.getMeter('m').createCounter('c').add(1), { resource: original }),
    );
    await pipeline.push(
      'logs',
      makeLogs(['hello']).map((l) => Object.assign(l, { resource: original })),
    );
    const expected = { 'service.name': 'checkout', 'host.name': 'h1', 'deployment.environment': 'prod' };
    expect(pipeline.recorded.items('traces')[0]?.resource.attributes).toEqual(expected);
    expect((pipeline.recorded.items('metrics')[0] as ResourceMetrics).resource.attributes).toEqual(expected);
    expect(pipeline.recorded.items('logs')[0]?.resource.attributes).toEqual(expected);
    expect(original.attributes.secret).toBe('s3'); // the shared resource object is not changed
  });

  it('rejects an upsert without a value, located', async () => {
    const err = await start('[{ key: service.name, action: upsert }]').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TributaryErrors);
    expect((err as Error).message).toContain('processors.resource.attributes[0].value');
    expect((err as Error).message).toContain('needs exactly one of value or from_attribute');
  });
});
