// SIGTERM while spans pour in: the engine stops taking new ones, drains what it took to the backend,
// and exits 0. Every span it answered 200 for arrives, once.
import { expect, it } from 'vitest';
import { drained, report, SpanSource, scenario, sleep } from './harness.js';

it('SIGTERM under load: exit 0, in = out', { timeout: 90_000 }, async () => {
  // A little slow, so batches are in flight and queued when the signal comes.
  const { backend, engine, ports } = await scenario({ policy: () => ({ status: 200, delayMs: 200 }) });

  const source = new SpanSource(ports.receiver, 10_000);
  await sleep(5000);
  const code = await engine.kill('SIGTERM');
  await source.stop();
  await drained(source, backend, 5000);

  const { missing, unexpected, duplicates } = report(
    'SIGTERM under load',
    source,
    backend,
    `exit code ${code}`,
  );
  expect(code).toBe(0);
  expect(source.accepted.size).toBeGreaterThan(0);
  expect(missing).toBe(0);
  expect(unexpected).toBe(0);
  expect(duplicates).toBe(0);
});
