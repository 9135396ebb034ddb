// The exporter's endpoint answers 429 or 500 at random (40% of requests, a fixed seed). OTLP says 429
// is retried and 500 is not: every span the engine took arrives once, except those of requests
// answered 500, which the engine drops and counts as send_failed.
import { expect, it } from 'vitest';
import { report, SpanSource, scenario, selfCounter, sleep } from './harness.js';

/** A repeatable sequence in [0, 1). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

it('endpoint answering 429/500 at random: in = out + counted send failures, none twice', {
  timeout: 90_000,
}, async () => {
  const next = random(20261207);
  const { backend, engine, ports } = await scenario({
    policy: () => {
      const r = next();
      return { status: r < 0.2 ? 429 : r < 0.4 ? 500 : 200 };
    },
  });

  const source = new SpanSource(ports.receiver, 5000);
  await sleep(10_000);
  await source.stop();
  // Settled: whatever has not arrived is what the engine counts as failed (its metrics come every 1 s).
  const missingNow = () => [...source.accepted].filter((n) => !backend.delivered.has(n)).length;
  const failedNow = () => selfCounter(ports, 'tributary_exporter_send_failed_items_total', 'otlp');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && missingNow() !== (await failedNow())) await sleep(250);

  const failed = await failedNow();
  const { missing, unexpected, duplicates } = report(
    'endpoint flaky (20% 429, 20% 500)',
    source,
    backend,
    `counted send_failed ${failed}`,
  );
  expect(backend.failures.get(429)).toBeGreaterThan(0);
  expect(backend.failures.get(500)).toBeGreaterThan(0);
  // What did not arrive is exactly what the engine counted as failed, all of it answered 500.
  expect(missing).toBe(failed);
  expect(
    [...source.accepted].filter((n) => !backend.delivered.has(n)).every((n) => backend.refused.has(n)),
  ).toBe(true);
  expect(unexpected).toBe(0);
  expect(duplicates).toBe(0);
  expect(await engine.kill('SIGTERM')).toBe(0);
});
