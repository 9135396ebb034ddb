import { createHash } from 'node:crypto';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { TributaryErrors } from '../../../../core/errors.js';
import {
  makeLogs,
  type RunningPipeline,
  recordMetrics,
  recordSpans,
} from '../../../../core/testing/index.js';
import attributes from '../../../../plugins/processors/attributes/index.js';
import { startProcessor } from '../start.js';

let pipeline: RunningPipeline | undefined;
afterEach(() => pipeline?.shutdown());

const start = (actions: string) => startProcessor(attributes, `actions: ${actions}`);

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const given = {
  'http.url': 'https://shop.example/cart/42?x=1',
  'user.email': 'a@b.c',
  env: 'dev',
  tmp_a: 1,
  tmp_b: 2,
};

describe('attributes processor', () => {
  it('inserts, updates, upserts, copies, hashes, extracts and deletes on spans', async () => {
    pipeline = await start(`[
      { key: env, value: prod, action: update },
      { key: missing, value: x, action: update },
      { key: env, value: never, action: insert },
      { key: team, value: payments, action: insert },
      { key: region, value: eu, action: upsert },
      { key: url.copy, from_attribute: http.url, action: upsert },
      { key: user.email, action: hash },
      { key: http.url, pattern: "^https://(?<host>[^/]+)/(?<section>\\\\w+)/", action: extract },
      { pattern: "^tmp_", action: delete }]`);
    await pipeline.push(
      'traces',
      recordSpans((p) => p.getTracer('t').startSpan('s', { attributes: given }).end()),
    );
    expect(pipeline.recorded.items('traces')[0]?.attributes).toEqual({
      'http.url': given['http.url'],
      'url.copy': given['http.url'],
      'user.email': sha256('a@b.c'),
      env: 'prod',
      team: 'payments',
      region: 'eu',
      host: 'shop.example',
      section: 'cart',
    });
  });

  it('acts on log records and on every metric data point, leaving the SDK-held attributes unchanged', async () => {
    pipeline = await start('[{ key: env, action: delete }, { key: team, value: payments, action: insert }]');
    await pipeline.push('logs', makeLogs(['hi'], { env: 'dev' }));
    const metrics = await recordMetrics((p) => {
      const c = p.getMeter('m').createCounter('requests');
      c.add(1, { env: 'dev', route: '/a' });
      c.add(2, { env: 'dev', route: '/b' });
    });
    const before = metrics[0]?.scopeMetrics[0]?.metrics[0]?.dataPoints[0]?.attributes;
    await pipeline.push('metrics', metrics);
    expect(pipeline.recorded.items('logs')[0]?.attributes).toEqual({ team: 'payments' });
    const points = (pipeline.recorded.items('metrics')[0] as ResourceMetrics).scopeMetrics[0]?.metrics[0]
      ?.dataPoints;
    expect(points?.map((p) => p.attributes)).toEqual([
      { route: '/a', team: 'payments' },
      { route: '/b', team: 'payments' },
    ]);
    expect(before).toEqual({ env: 'dev', route: '/a' });
  });

  it('rejects an extract without a named group and a delete with neither key nor pattern', async () => {
    const err = await start('[{ key: url, pattern: "^(.*)$", action: extract }, { action: delete }]').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TributaryErrors);
    expect((err as Error).message).toContain('processors.attributes.actions[0].pattern');
    expect((err as Error).message).toContain('has no named group');
    expect((err as Error).message).toContain('processors.attributes.actions[1].key');
  });
});
