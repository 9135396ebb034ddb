// The filelog receiver of a real engine process, killed with SIGKILL mid-file while a writer appends,
// then restarted on its checkpoints: every line arrives (a crash may repeat the lines of batches handed
// on since the last checkpoint, counted); then a clean SIGTERM and restart: nothing lost, nothing
// repeated.
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cleanup, EngineProcess, enginePorts, sleep } from './harness.js';

/** Line text -> how many times it reached the output file. */
async function delivered(path: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const text = await readFile(path, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    if (!line) continue;
    const body = String((JSON.parse(line) as { message?: unknown }).message);
    counts.set(body, (counts.get(body) ?? 0) + 1);
  }
  return counts;
}

it('kill -9 mid-file, then SIGTERM: every line delivered; none repeated after the clean restart', {
  timeout: 120_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'trb-chaos-filelog-'));
  cleanup(() => rm(dir, { recursive: true, force: true }));
  const ports = await enginePorts();
  const out = join(dir, 'out.jsonl');
  const yaml = `extensions: { file_storage: { directory: "${dir}/state" } }
receivers:
  filelog: { include: ["${dir}/app.log"], start_at: beginning, storage: file_storage, poll_interval: 50ms, max_batch_size: 100 }
  selftelemetry: { collection_interval: 1s }
exporters:
  file: { path: "${out}" }
  prometheus: { endpoint: "127.0.0.1:${ports.metrics}" }
service:
  extensions: [file_storage]
  pipelines:
    logs: { receivers: [filelog], exporters: [file] }
    metrics: { receivers: [selftelemetry], exporters: [prometheus] }
`;
  const log = join(dir, 'app.log');
  let written = 0;
  let writing = true;
  const writer = (async () => {
    while (writing) {
      await appendFile(log, `${Array.from({ length: 50 }, () => `line ${written++}`).join('\n')}\n`);
      await sleep(10);
    }
  })();
  cleanup(async () => {
    writing = false;
    await writer;
  });

  let engine = await EngineProcess.start(yaml, ports.metrics);
  cleanup(() => engine.kill('SIGKILL'));
  await sleep(3000);
  expect(await engine.kill('SIGKILL')).toBe(null);
  const atKill = written;
  const beforeRestart = await delivered(out);
  engine = await EngineProcess.start(yaml, ports.metrics);
  await sleep(3000);
  writing = false;
  await writer;
  await expect.poll(async () => (await delivered(out)).size, { timeout: 30_000 }).toBe(written);
  const afterCrash = await delivered(out);
  const repeated = [...afterCrash.values()].filter((n) => n > 1).length;

  // A clean stop and restart: what comes next arrives once.
  expect(await engine.kill('SIGTERM')).toBe(0);
  const clean = await delivered(out);
  await appendFile(log, `${Array.from({ length: 500 }, (_, i) => `after ${i}`).join('\n')}\n`);
  engine = await EngineProcess.start(yaml, ports.metrics);
  await expect.poll(async () => (await delivered(out)).size, { timeout: 30_000 }).toBe(written + 500);
  const final = await delivered(out);
  console.log(
    `chaos filelog kill -9: in ${written + 500} lines (${atKill} written at the kill, ${beforeRestart.size} delivered then), out ${final.size} distinct; repeated after the crash ${repeated}; repeated after the clean restart ${[...final].filter(([line, n]) => n > (clean.get(line) ?? 0) && (clean.get(line) ?? 0) > 0).length}`,
  );
  for (let i = 0; i < written; i++) expect(final.has(`line ${i}`), `line ${i}`).toBe(true);
  for (let i = 0; i < 500; i++) expect(final.get(`after ${i}`), `after ${i}`).toBe(1);
  // Nothing delivered before the clean stop came again after it.
  for (const [line, n] of clean) expect(final.get(line), line).toBe(n);
  expect(await engine.kill('SIGTERM')).toBe(0);
});
