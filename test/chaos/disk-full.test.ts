// Disk full under a persistent queue: the engine's file_storage directory is a 512 KiB tmpfs (mounted
// here when the test runs as root, as in CI; elsewhere the store's own max_size plays the full disk).
// Spans pour in while the backend is down until storage is full: the engine must say so with a TRB
// code, keep running and answer 503 (the sender keeps its data and retries), and once the backend is
// back and the queue drains, store and deliver again. Every span it answered 200 for arrives, once.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  cleanup,
  drained,
  type EnginePorts,
  type FaultyBackend,
  report,
  SpanSource,
  scenario,
  sleep,
} from './harness.js';

const DISK = '512k';

/** Mounts a small tmpfs at `dir`; false when this process may not (not root, or no mount here). */
function mountSmallDisk(dir: string): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK}`, 'tmpfs', dir]).status === 0;
}

const yaml = (storage: string, capped: boolean, ports: EnginePorts, backend: FaultyBackend) => `
extensions:
  file_storage: { directory: ${storage}${capped ? ', max_size: 512KiB' : ''} }
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${ports.receiver} } } }
exporters:
  otlp:
    endpoint: ${backend.url}
    retry_on_failure: { initial_interval: 50ms, max_interval: 200ms, max_elapsed_time: 0 }
    sending_queue: { storage: file_storage, queue_size: 10000 }
service:
  extensions: [file_storage]
  pipelines:
    traces: { receivers: [otlp], exporters: [otlp] }
`;

it('disk full under a persistent queue: a TRB error, 503s, the engine keeps running, in = out', {
  timeout: 120_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'trb-diskfull-'));
  cleanup(() => rm(dir, { recursive: true, force: true }));
  const storage = join(dir, 'disk');
  await mkdir(storage);
  const mounted = mountSmallDisk(storage);
  if (mounted) cleanup(async () => spawnSync('umount', [storage]));
  const code = mounted ? 'TRB_STORAGE_DISK_FULL' : 'TRB_STORAGE_FULL';
  const { engine, backend, ports } = await scenario({
    down: true,
    yaml: (ports, backend) => yaml(storage, !mounted, ports, backend),
  });

  // The backend is down: the queue grows on disk until the disk (or max_size) is full.
  const source = new SpanSource(ports.receiver, 5_000);
  while (!source.pushedBack.has(503)) await sleep(10);
  const acceptedWhenFull = source.accepted.size;
  while (!engine.stderr.includes(code)) await sleep(10);
  await sleep(1000); // full for a while: the senders keep being pushed back
  expect(engine.child.exitCode).toBeNull();

  // The backend comes back: the queue drains, the store frees its room, the senders' retries get in.
  await backend.start();
  while (!engine.stderr.includes('the persistent sending queue stores batches again')) await sleep(20);
  await sleep(1000);
  await source.stop();
  await drained(source, backend, 60_000);
  expect(await engine.kill('SIGTERM')).toBe(0);

  const lines = engine.stderr.split('\n');
  const full = lines.filter((l) => l.includes('cannot store batches in the persistent sending queue'));
  const { missing, unexpected, duplicates } = report(
    `disk full (${mounted ? `tmpfs of ${DISK}` : 'file_storage max_size 512KiB, no tmpfs without root'})`,
    source,
    backend,
    `accepted when it filled up ${acceptedWhenFull}`,
  );
  expect(full.length).toBeGreaterThan(0);
  expect(full[0]).toContain(code);
  expect(source.pushedBack.get(503)).toBeGreaterThan(0);
  expect(source.accepted.size).toBeGreaterThan(acceptedWhenFull);
  expect(missing).toBe(0);
  expect(unexpected).toBe(0);
  expect(duplicates).toBe(0);
});
