// file_storage's write path: durable set+delete pairs per second from concurrent writers, with
// `fsync: batch` (writes that arrive together share one write and one flush) against `fsync: always`
// (one flush per write), both durable once answered. `never` is shown for what the disk costs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { FileStore, type FsyncPolicy } from '../plugins/extensions/file_storage/store.js';
import type { Result, Row } from './report.js';

const MEASURE_MS = 1_500;
const WRITERS = 16;
const SMALL = 1024;
/** About a batch of 1,000 spans as the persistent queue stores it. */
const LARGE = 100 * 1024;

/** set+delete pairs per second from `writers` concurrent writers of `bytes`-byte values. */
async function measure(fsync: FsyncPolicy, bytes: number, writers: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'trb-bench-storage-'));
  const settings = { fsync, maxSize: 1 << 30, compactOnStart: true, garbageRatio: 0.5, owner: 'bench' };
  const store = await FileStore.open(join(dir, 'bench.store'), settings, pino({ level: 'silent' }), {
    refused: () => {},
  });
  const value = Buffer.alloc(bytes, 7);
  let pairs = 0;
  const started = performance.now();
  const until = started + MEASURE_MS;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let n = 0; performance.now() < until; n++) {
        const key = `item/${writer}/${n}`;
        await store.set(key, value);
        await store.delete(key);
        pairs++;
      }
    }),
  );
  const perSecond = pairs / ((performance.now() - started) / 1000);
  await store.close();
  await rm(dir, { recursive: true, force: true });
  return perSecond;
}

export async function run(): Promise<Result> {
  const rows: Row[] = [];
  for (const fsync of ['batch', 'always', 'never'] as const) {
    rows.push({
      name: `fsync: ${fsync}, ${WRITERS} writers of 1 KiB`,
      perSecond: await measure(fsync, SMALL, WRITERS),
    });
  }
  const [batch, always] = rows as [Row, Row];
  const large = await measure('batch', LARGE, 4);
  return {
    title:
      'file_storage: durable set+delete pairs per second (a persistent queue writes one of each per batch, and marks)',
    rows,
    ratio: batch.perSecond / always.perSecond,
    ratioLabel: 'fsync: batch / fsync: always',
    notes: [
      `fsync: batch, 4 writers of 100 KiB values (about 1,000 spans each): ${Math.round(large).toLocaleString('en-US')} pairs/s, ${((large * LARGE) / 1048576).toFixed(0)} MiB/s`,
    ],
  };
}
