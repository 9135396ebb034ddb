// engine.reload(config): a config with mistakes is refused and the running graph goes on; a valid one
// replaces the graph, keeping unchanged exporters (with what they queue) running through it; a new
// graph that fails to start gives way to the previous config again.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../core/config/load.js';
import { TributaryErrors } from '../../core/errors.js';
import { freePort, makeSpans, type RunningPipeline, startPipeline } from '../../core/testing/index.js';
import { builtins } from '../../plugins/index.js';
import { closedPort, HttpBackend } from '../plugins/exporters/decoders/backends.js';
import { attributesOf, decodeOtlp, spansOf } from '../plugins/exporters/decoders/otlp.js';

let pipeline: RunningPipeline | undefined;
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = undefined;
  for (const stop of cleanup.splice(0).reverse()) await stop();
});

const SINK = `receivers: { push: }
exporters: { sink: }
service: { pipelines: { traces: { receivers: [push], exporters: [sink] } } }
`;
const names = (p: RunningPipeline) => p.recorded.items('traces').map((s) => (s as { name: string }).name);

describe('engine.reload', () => {
  it('refuses a config with mistakes, saying where, and the running graph goes on', async () => {
    pipeline = await startPipeline(SINK, { plugins: builtins });
    const next = parseConfigText(SINK.replace('exporters: [sink]', 'exporters: [sinc]'), '/etc/next.yaml');
    const refused = await pipeline.engine.reload(next).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(TributaryErrors);
    expect((refused as TributaryErrors).errors.map((e) => e.format())).toEqual([
      expect.stringMatching(
        /^\/etc\/next\.yaml:3:\d+: TRB_CONFIG_UNKNOWN_COMPONENT .*"sinc"; did you mean "sink"\?/,
      ),
    ]);
    expect(pipeline.engine.state).toBe('running');
    await pipeline.push('traces', makeSpans(2, 'after'));
    expect(names(pipeline)).toEqual(['after-0', 'after-1']);
  });

  it('runs the new graph and keeps an unchanged exporter, with what it queued, through the reload', async () => {
    const port = await closedPort();
    const yaml = (processors: string) => `receivers: { push: }
processors:
  resource: { attributes: [{ key: deployment.environment, value: canary, action: upsert }] }
exporters:
  otlp:
    endpoint: http://127.0.0.1:${port}
    encoding: json
    retry_on_failure: { initial_interval: 50ms, max_interval: 200ms, max_elapsed_time: 0 }
service: { pipelines: { traces: { receivers: [push], processors: [${processors}], exporters: [otlp] } } }
`;
    pipeline = await startPipeline(yaml(''), { plugins: builtins });
    // The backend is down: these wait in the otlp exporter's queue.
    await pipeline.push('traces', makeSpans(3, 'before'));
    await pipeline.engine.reload(parseConfigText(yaml('resource'), '/etc/next.yaml'));
    expect(pipeline.engine.source.locate(['processors'])).toMatchObject({ file: '/etc/next.yaml' });
    await pipeline.push('traces', makeSpans(2, 'after'));

    const backend = await HttpBackend.start(port);
    cleanup.push(() => backend.close());
    await expect
      .poll(
        () =>
          backend.requests.flatMap((r) => spansOf(decodeOtlp('traces', r.body, 'application/json'))).length,
        {
          timeout: 10_000,
        },
      )
      .toBe(5);
    const delivered = backend.requests.flatMap((r) => {
      const request = decodeOtlp('traces', r.body, 'application/json');
      return request.resourceSpans.flatMap((rs) =>
        rs.scopeSpans.flatMap((ss) =>
          ss.spans.map(
            (s) => `${s.name} ${attributesOf(rs.resource.attributes)['deployment.environment'] ?? '-'}`,
          ),
        ),
      );
    });
    // Queued before the reload, sent after it; the new graph's resource processor marks only the later ones.
    expect(delivered.sort()).toEqual([
      'after-0 canary',
      'after-1 canary',
      'before-0 -',
      'before-1 -',
      'before-2 -',
    ]);
  });

  it('brings the previous config back when the new graph fails to start', async () => {
    const taken = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => taken.close(resolve)));
    pipeline = await startPipeline(SINK, { plugins: builtins });
    const next = `receivers: { push: }
exporters: { sink: , prometheus: { endpoint: "127.0.0.1:${port}" } }
service:
  pipelines:
    traces: { receivers: [push], exporters: [sink] }
    metrics: { receivers: [push], exporters: [prometheus] }
`;
    await expect(pipeline.engine.reload(parseConfigText(next, '/etc/next.yaml'))).rejects.toMatchObject({
      code: 'TRB_EXPORTER_PORT_IN_USE',
      message: expect.stringContaining('prometheus'),
    });
    expect(pipeline.engine.state).toBe('running');
    expect(pipeline.engine.source.locate(['exporters'])).toMatchObject({
      file: `${process.cwd()}/pipeline.yaml`,
    });
    await pipeline.push('traces', makeSpans(1, 'still'));
    expect(names(pipeline)).toEqual(['still-0']);
  });

  it('refuses to reload an engine that is not running', async () => {
    pipeline = await startPipeline(SINK, { plugins: builtins });
    await pipeline.shutdown();
    await expect(pipeline.engine.reload(parseConfigText(SINK, '/etc/next.yaml'))).rejects.toMatchObject({
      code: 'TRB_ENGINE_STATE',
    });
  });
});
