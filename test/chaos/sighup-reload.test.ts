// SIGHUP under load with the backend down: a broken config is refused and the engine keeps running the
// old graph; a valid one replaces the graph, and nothing queued is lost once the backend is back.
import { writeFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { drained, pipelineYaml, report, SpanSource, scenario, sleep } from './harness.js';

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100))
    if (check()) return true;
  return check();
}

it('SIGHUP: a broken config leaves the old graph running; a valid one runs, nothing queued lost', {
  timeout: 90_000,
}, async () => {
  let yaml = '';
  const { backend, engine, ports } = await scenario({
    down: true,
    yaml: (p, b) => {
      yaml = pipelineYaml(p, b);
      return yaml;
    },
  });
  const source = new SpanSource(ports.receiver, 2000);
  await sleep(2000);

  await writeFile(engine.configPath, yaml.replace('exporters: [otlp]', 'exporters: [otlpp]'));
  engine.child.kill('SIGHUP');
  expect(await until(() => engine.stderr.includes('Config reload refused'), 10_000)).toBe(true);
  expect(engine.stderr).toContain('TRB_CONFIG_UNKNOWN_COMPONENT');
  const before = source.accepted.size;
  await sleep(1500);
  // Still the old graph, still taking spans.
  expect(engine.child.exitCode).toBe(null);
  expect(source.accepted.size).toBeGreaterThan(before);

  // A valid change: the batch processor's timeout (and info logs, to see the reload said). The otlp
  // exporter is unchanged and keeps its queue.
  await writeFile(
    engine.configPath,
    yaml.replace('timeout: 100ms', 'timeout: 300ms').replace('level: warn', 'level: info'),
  );
  engine.child.kill('SIGHUP');
  expect(await until(() => engine.stderr.includes('Config reloaded'), 20_000)).toBe(true);
  await sleep(1500);
  await backend.start();
  await sleep(1500);
  await source.stop();
  await drained(source, backend, 30_000);

  const { missing, unexpected, duplicates } = report('SIGHUP reload (broken, then valid)', source, backend);
  expect(missing).toBe(0);
  expect(unexpected).toBe(0);
  expect(duplicates).toBe(0);
  expect(await engine.kill('SIGTERM')).toBe(0);
});
