// Disk full under a persistent queue: an engine (dist/cli.js) whose file_storage directory is on a
// 512 KiB tmpfs (mounted here when the test runs as root, as in CI; elsewhere the store's own
// max_size plays the full disk) takes spans while its backend is down until storage is full. It must
// say so with a TRB code, keep running and answering (503: the sender keeps its data), and, once the
// backend is back and the queue drains, store and deliver again. Every span answered 200 arrives.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, makeSpans } from '../../core/testing/index.js';
import { EngineProcess, postSpans, SpanSink, until } from './engine-process.js';

const DISK = '512k';
const SPANS_PER_REQUEST = 50;

/** Mounts a small tmpfs at `dir`; false when this process may not (not root, or no mount in a container). */
function mountSmallDisk(dir: string): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK}`, 'tmpfs', dir]).status === 0;
}

const config = (storage: string, capped: boolean, receiverPort: number, sinkPort: number) => `
extensions:
  file_storage:
    directory: ${storage}
    ${capped ? `max_size: 512KiB` : ''}
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${receiverPort} } } }
exporters:
  otlp:
    endpoint: http://127.0.0.1:${sinkPort}
    retry_on_failure: { initial_interval: 50ms, max_interval: 200ms, max_elapsed_time: 0 }
    sending_queue: { storage: file_storage, queue_size: 10000 }
service:
  extensions: [file_storage]
  pipelines:
    traces: { receivers: [otlp], exporters: [otlp] }
`;

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('chaos: the disk under file_storage fills up', () => {
  it('refuses with a TRB error while full, keeps running, and delivers everything it accepted', {
    timeout: 120_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trb-diskfull-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const storage = join(dir, 'disk');
    await mkdir(storage);
    const mounted = mountSmallDisk(storage);
    if (mounted) cleanup.push(async () => spawnSync('umount', [storage]));
    const code = mounted ? 'TRB_STORAGE_DISK_FULL' : 'TRB_STORAGE_FULL';
    const [receiverPort, sinkPort] = [await freePort(), await freePort()];
    const file = join(dir, 'tributary.yaml');
    await writeFile(file, config(storage, !mounted, receiverPort, sinkPort));

    const engine = new EngineProcess(file);
    cleanup.push(async () => engine.alive && engine.kill('SIGKILL'));
    await engine.ready();
    const accepted = new Set<string>();
    let refused = 0;
    let refusal = '';
    let request = 0;
    const send = async () => {
      const spans = makeSpans(SPANS_PER_REQUEST, `request-${request++}`);
      const { status, body } = await postSpans(receiverPort, spans);
      if (status === 200) for (const span of spans) accepted.add(span.name);
      else if (status === 503) [refused, refusal] = [refused + SPANS_PER_REQUEST, body];
      else throw new Error(`unexpected answer ${status}: ${body}`);
      return status;
    };

    // The backend is down: the queue grows on disk until the disk (or max_size) is full.
    while ((await send()) === 200);
    for (let i = 0; i < 5; i++) expect(await send()).toBe(503);
    const storedBeforeFull = accepted.size;
    const line = await engine.waitFor(new RegExp(code));
    expect(refusal).toContain(code);
    expect(line).toMatch(/cannot store batches in the persistent sending queue: refusing them until it can/);
    expect(engine.alive).toBe(true);

    // The backend comes back: the queue drains, the store frees its room, new spans are stored again.
    const sink = new SpanSink();
    await sink.listen(sinkPort);
    cleanup.push(() => sink.close());
    await until(() => sink.names.length >= storedBeforeFull);
    while ((await send()) !== 200);
    for (let i = 0; i < 5; i++) expect(await send()).toBe(200);
    await until(() => sink.names.length >= accepted.size);
    await engine.waitFor(/the persistent sending queue stores batches again/);
    expect(await engine.kill('SIGTERM')).toBe(0);

    const received = new Set(sink.names);
    const report = {
      full_disk: mounted ? `tmpfs of ${DISK}` : 'file_storage max_size 512KiB (no tmpfs without root)',
      accepted: accepted.size,
      accepted_before_full: storedBeforeFull,
      refused,
      received: sink.names.length,
      duplicates: sink.names.length - received.size,
      lost: [...accepted].filter((name) => !received.has(name)).length,
    };
    console.log('disk full under a persistent queue:', JSON.stringify(report));
    expect(report.lost).toBe(0);
    expect(report.duplicates).toBe(0);
    // What was refused never arrives: the sender was told to keep it.
    expect(report.received).toBe(report.accepted);
    expect(refused).toBeGreaterThan(0);
  });
});
