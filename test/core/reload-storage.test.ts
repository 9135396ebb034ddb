// A reload that changes the storage extension a persistent queue lives on restarts the exporter with
// it: what the queue stored before the reload is sent after it, nothing is lost to a closed store.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { parseConfigText } from '../../core/config/load.js';
import { makeSpans, type RunningPipeline, startPipeline } from '../../core/testing/index.js';
import { builtins } from '../../plugins/index.js';
import { closedPort, HttpBackend } from '../plugins/exporters/decoders/backends.js';
import { decodeOtlp, spansOf } from '../plugins/exporters/decoders/otlp.js';

let pipeline: RunningPipeline | undefined;
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = undefined;
  for (const stop of cleanup.splice(0).reverse()) await stop();
});

it('a reload that changes file_storage restarts the exporter on it; what was stored is sent after the reload', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'trb-reload-storage-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const port = await closedPort();
  const yaml = (fsync: string) => `extensions: { file_storage: { directory: ${dir}, fsync: ${fsync} } }
receivers: { push: }
exporters:
  otlp:
    endpoint: http://127.0.0.1:${port}
    encoding: json
    retry_on_failure: { initial_interval: 50ms, max_interval: 200ms, max_elapsed_time: 0 }
    sending_queue: { storage: file_storage }
service:
  extensions: [file_storage]
  shutdown_timeout: 1s
  pipelines: { traces: { receivers: [push], exporters: [otlp] } }
`;
  pipeline = await startPipeline(yaml('batch'), { plugins: builtins });
  // The backend is down: these are stored by the persistent queue.
  await pipeline.push('traces', makeSpans(3, 'before'));
  await pipeline.engine.reload(parseConfigText(yaml('always'), '/etc/next.yaml'));
  await pipeline.push('traces', makeSpans(2, 'after'));

  const backend = await HttpBackend.start(port);
  cleanup.push(() => backend.close());
  const delivered = () =>
    backend.requests.flatMap((r) =>
      spansOf(decodeOtlp('traces', r.body, 'application/json')).map((s) => s.name),
    );
  await expect.poll(() => delivered().length, { timeout: 10_000 }).toBe(5);
  expect(delivered().sort()).toEqual(['after-0', 'after-1', 'before-0', 'before-1', 'before-2']);
});
