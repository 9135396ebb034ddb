// Several engines sending to one gateway keep their series apart: each process names itself.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSTANCE_ID } from '../../../core/telemetry/resource.js';
import { freePort, startPipeline } from '../../../core/testing/index.js';
import { builtins } from '../../../plugins/index.js';

describe('service.instance.id', () => {
  it('is a UUID of its own in every process', () => {
    const module = join(import.meta.dirname, '../../../dist/core/telemetry/resource.js');
    const read = () =>
      execFileSync(
        process.execPath,
        ['--input-type=module', '-e', `import('${module}').then((m) => console.log(m.INSTANCE_ID))`],
        {
          encoding: 'utf8',
        },
      ).trim();
    const [one, two] = [read(), read()];
    expect(one).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(two).not.toBe(one);
  });

  it("is the `instance` of the engine's own series and of the host's, as Prometheus shows them", async () => {
    const port = await freePort();
    const pipeline = await startPipeline(
      `receivers: { selftelemetry: {}, hostmetrics: { scrapers: { memory: {} } } }
exporters: { prometheus: { endpoint: "127.0.0.1:${port}" } }
service: { pipelines: { metrics: { receivers: [selftelemetry, hostmetrics], exporters: [prometheus] } } }
`,
      { plugins: builtins },
    );
    try {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const instance = `instance="${INSTANCE_ID}"`;
      expect(text.split('\n').find((l) => l.startsWith('system_memory_usage_bytes{'))).toContain(instance);
      expect(
        text.split('\n').find((l) => l.startsWith('tributary_receiver_accepted_items_total{')),
      ).toContain(instance);
    } finally {
      await pipeline.shutdown();
    }
  });
});
