// SIGTERM while spans pour in: the engine stops taking new ones, drains what it took to the backend,
// and exits 0. Every span it answered 200 for arrives, once.
import { afterAll, expect, it } from 'vitest';
import {
  drained,
  EngineProcess,
  enginePorts,
  FaultyBackend,
  pipelineYaml,
  report,
  SpanSource,
  sleep,
} from './harness.js';

const stops: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

it('SIGTERM under load: exit 0, in = out', { timeout: 90_000 }, async () => {
  const backend = await FaultyBackend.create();
  // A little slow, so batches are in flight and queued when the signal comes.
  backend.policy = () => ({ status: 200, delayMs: 200 });
  await backend.start();
  const ports = await enginePorts();
  const engine = await EngineProcess.start(pipelineYaml(ports, backend), ports.receiver);
  stops.push(
    () => engine.kill('SIGKILL'),
    () => backend.stop(),
  );

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
