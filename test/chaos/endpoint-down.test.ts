// The exporter's endpoint is down for 30 s, then back: the engine pushes back on its client while its
// queue is full (429/503 with Retry-After), holds a bounded amount, and delivers every span it took.
import { expect, it } from 'vitest';
import { drained, report, SpanSource, scenario, selfCounter, sleep } from './harness.js';

const DOWN_MS = 30_000;
it('endpoint down for 30 s then back: in = out, memory bounded', { timeout: 120_000 }, async () => {
  const { backend, engine, ports } = await scenario({ down: true });

  const source = new SpanSource(ports.receiver, 5000);
  await sleep(DOWN_MS);
  const inWhileDown = source.accepted.size;
  await backend.start();
  await sleep(5000);
  await source.stop();
  await drained(source, backend, 30_000);

  const peak = engine.peakRssMiB();
  const { missing, unexpected, duplicates } = report(
    'endpoint down 30 s',
    source,
    backend,
    `taken while down ${inWhileDown}; engine peak RSS ${peak.toFixed(0)} MiB`,
  );
  expect(missing).toBe(0);
  expect(unexpected).toBe(0);
  expect(duplicates).toBe(0);
  // It took data while down (up to what its queue and batch hold), then pushed back.
  expect(inWhileDown).toBeGreaterThan(0);
  expect([...source.pushedBack.keys()].some((s) => s === 429 || s === 503)).toBe(true);
  expect(peak).toBeLessThan(300);
  expect(await selfCounter(ports, 'tributary_exporter_dropped_items_total', 'otlp')).toBe(0);
  expect(await engine.kill('SIGTERM')).toBe(0);
});
