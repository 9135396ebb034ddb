// A slow endpoint: every answer takes 1-3 s (within the exporter's 5 s timeout). The queue and its
// consumers absorb it: every span the engine took arrives, once.
import { expect, it } from 'vitest';
import { drained, report, SpanSource, scenario, sleep } from './harness.js';

it('slow endpoint (1-3 s an answer): in = out, none twice', { timeout: 90_000 }, async () => {
  let n = 0;
  const { backend, engine, ports } = await scenario({
    policy: () => ({ status: 200, delayMs: 1000 + ((n++ * 700) % 2000) }),
  });

  const source = new SpanSource(ports.receiver, 5000);
  await sleep(10_000);
  await source.stop();
  await drained(source, backend, 40_000);

  const { missing, unexpected, duplicates } = report('slow endpoint (1-3 s)', source, backend);
  expect(source.accepted.size).toBeGreaterThan(0);
  expect(missing).toBe(0);
  expect(unexpected).toBe(0);
  expect(duplicates).toBe(0);
  expect(await engine.kill('SIGTERM')).toBe(0);
});
