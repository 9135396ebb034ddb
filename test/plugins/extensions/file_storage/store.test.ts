import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TributaryError } from '../../../../core/errors.js';
import type { StorageClient } from '../../../../core/exporterhelper/storage.js';
import { SelfTelemetry } from '../../../../core/telemetry/self.js';
import { testContext, testHost } from '../../../../core/testing/index.js';
import { FileStorageConfig } from '../../../../plugins/extensions/file_storage/config.js';
import { FileStorageExtension } from '../../../../plugins/extensions/file_storage/extension.js';

type LogLine = { level: number; msg: string } & Record<string, unknown>;

const dirs: string[] = [];
const extensions: FileStorageExtension[] = [];
afterEach(async () => {
  for (const extension of extensions.splice(0)) await extension.shutdown();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'trb-storage-'));
  dirs.push(dir);
  return dir;
}

/** A started file_storage extension over `directory`, with its log lines kept. */
async function storage(directory: string, config: Record<string, unknown> = {}) {
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const parsed = FileStorageConfig.parse({ directory, ...config });
  const telemetry = new SelfTelemetry();
  const { meter } = telemetry;
  const extension = new FileStorageExtension(
    testContext(parsed, 'file_storage', { kind: 'extension', logger, meter }),
  );
  extensions.push(extension);
  await extension.start(testHost({ logger }));
  const client = await extension.getClient('otlp/backend', 'traces');
  /** The extension's own metric `name` at the point whose attributes include `match`. */
  async function metric(name: string, match: Record<string, string>): Promise<number | undefined> {
    for (const sm of (await telemetry.collect()).scopeMetrics) {
      for (const m of sm.metrics) {
        if (m.descriptor.name !== name) continue;
        const point = m.dataPoints.find((p) =>
          Object.entries(match).every(([k, v]) => p.attributes[k] === v),
        );
        if (point) return point.value as number;
      }
    }
    return undefined;
  }
  return { extension, client, logs, metric };
}

const bytes = (text: string) => Buffer.from(text);
const text = async (client: StorageClient, key: string) => {
  const value = await client.get(key);
  return value === undefined ? undefined : Buffer.from(value).toString();
};
const storeFile = (dir: string) => join(dir, 'otlp%2Fbackend.traces.store');

describe('file_storage', () => {
  it('keeps what was set across a restart, without what was deleted', async () => {
    const dir = await tempDir();
    const first = await storage(dir);
    await Promise.all([
      first.client.set('item/1', bytes('one')),
      first.client.set('item/2', bytes('two')),
      first.client.set('other', bytes('x')),
    ]);
    await first.client.set('item/2', bytes('two again'));
    await first.client.delete('item/1');
    await first.client.delete('never-set');
    expect(await text(first.client, 'item/2')).toBe('two again');
    await first.extension.shutdown();

    const second = await storage(dir);
    expect((await second.client.keys('item/')).sort()).toEqual(['item/2']);
    expect(await text(second.client, 'item/2')).toBe('two again');
    expect(await text(second.client, 'item/1')).toBeUndefined();
    expect(await text(second.client, 'other')).toBe('x');
  });

  it('gives each component and signal a store of its own', async () => {
    const dir = await tempDir();
    const { extension, client } = await storage(dir);
    const logs = await extension.getClient('otlp/backend', 'logs');
    await client.set('k', bytes('traces'));
    await logs.set('k', bytes('logs'));
    expect(await text(client, 'k')).toBe('traces');
    expect(await text(logs, 'k')).toBe('logs');
    expect((await readdir(dir)).sort()).toEqual([
      'otlp%2Fbackend.logs.store',
      'otlp%2Fbackend.traces.store',
      'tributary.lock',
    ]);
  });

  it('uses the whole records of a file whose tail was cut by a crash, and moves the rest aside', async () => {
    const dir = await tempDir();
    const first = await storage(dir);
    for (let i = 1; i <= 3; i++) await first.client.set(`item/${i}`, bytes(`value ${i}`));
    await first.extension.shutdown();
    const { size } = await stat(storeFile(dir));
    await truncate(storeFile(dir), size - 4);

    const second = await storage(dir);
    expect((await second.client.keys('item/')).sort()).toEqual(['item/1', 'item/2']);
    expect(await text(second.client, 'item/2')).toBe('value 2');
    const warning = second.logs.find((line) => line.code === 'TRB_STORAGE_CORRUPT_RECORD');
    expect(warning?.msg).toMatch(/TRB_STORAGE_CORRUPT_RECORD .*a record cut short \(the tail\) at byte \d+/);
    const aside = (await readdir(dir)).filter((name) => name.includes('.corrupt-'));
    expect(aside).toHaveLength(1);
    // What was moved aside is the cut record's bytes, for a human to look at.
    expect((await readFile(join(dir, aside[0] as string))).toString()).toContain('item/3');

    // The file was rewritten whole: writing on and reopening finds no corruption again.
    await second.client.set('item/4', bytes('value 4'));
    await second.extension.shutdown();
    const third = await storage(dir);
    expect((await third.client.keys('item/')).sort()).toEqual(['item/1', 'item/2', 'item/4']);
    expect(third.logs.filter((line) => line.code === 'TRB_STORAGE_CORRUPT_RECORD')).toEqual([]);
  });

  it('skips a record corrupted in the middle and keeps the records after it', async () => {
    const dir = await tempDir();
    const first = await storage(dir);
    for (let i = 1; i <= 3; i++) await first.client.set(`item/${i}`, bytes(`value ${i}`));
    await first.extension.shutdown();
    const file = await readFile(storeFile(dir));
    const at = file.indexOf('value 2');
    file[at] = 'V'.charCodeAt(0);
    await writeFile(storeFile(dir), file);

    const second = await storage(dir);
    expect((await second.client.keys('item/')).sort()).toEqual(['item/1', 'item/3']);
    expect(await text(second.client, 'item/3')).toBe('value 3');
    expect(second.logs.find((line) => line.code === 'TRB_STORAGE_CORRUPT_RECORD')?.msg).toMatch(
      /checksum does not match/,
    );
  });

  it('starts with garbage in a file that is not a store at all', async () => {
    const dir = await tempDir();
    await writeFile(storeFile(dir), 'not a store\n'.repeat(100));
    const { client, logs } = await storage(dir);
    expect(await client.keys('')).toEqual([]);
    await client.set('k', bytes('v'));
    expect(await text(client, 'k')).toBe('v');
    expect(logs.some((line) => line.code === 'TRB_STORAGE_CORRUPT_RECORD')).toBe(true);
  });

  it('refuses sets past max_size with TRB_STORAGE_FULL, still deletes, and takes sets again once compacted', async () => {
    const dir = await tempDir();
    const { client, metric } = await storage(dir, { max_size: '4KiB' });
    const value = Buffer.alloc(1000, 1);
    await client.set('item/1', value);
    await client.set('item/2', value);
    await client.set('item/3', value);
    await client.set('item/4', value);
    const refused = await client.set('item/5', value).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(TributaryError);
    expect((refused as TributaryError).format()).toMatch(
      /^TRB_STORAGE_FULL extensions\.file_storage\.max_size: store otlp%2Fbackend\.traces\.store would pass its max_size \(4096 bytes\): \d+ bytes refused; raise max_size/,
    );
    const refusedBytes = Number(/(\d+) bytes refused/.exec((refused as TributaryError).message)?.[1]);
    expect(await metric('tributary_storage_refused_bytes', { reason: 'TRB_STORAGE_FULL' })).toBe(
      refusedBytes,
    );
    expect(await metric('tributary_storage_file_bytes', { store: 'otlp%2Fbackend.traces.store' })).toBe(
      (await stat(storeFile(dir))).size,
    );
    for (let i = 1; i <= 4; i++) await client.delete(`item/${i}`);
    // Deletes freed the room; the next set finds the file full of garbage and is written after a compaction.
    await client.set('item/5', value);
    expect(await client.keys('item/')).toEqual(['item/5']);
    expect((await stat(storeFile(dir))).size).toBeLessThan(4096);
  });

  it('compacts a store whose file is mostly garbage while running', async () => {
    const dir = await tempDir();
    const { client } = await storage(dir);
    const value = Buffer.alloc(64 * 1024, 7);
    for (let i = 0; i < 40; i++) {
      await client.set(`item/${i}`, value);
      if (i > 0) await client.delete(`item/${i - 1}`);
    }
    // 40 values of 64 KiB were written (2.5 MiB); one is live.
    expect((await stat(storeFile(dir))).size).toBeLessThan(1024 * 1024);
    expect(Buffer.from((await client.get('item/39')) ?? [])).toEqual(value);
  });

  it('keeps every write of a concurrent burst, each answered once written (fsync: always)', async () => {
    const dir = await tempDir();
    const first = await storage(dir, { fsync: 'always' });
    await Promise.all(Array.from({ length: 200 }, (_, i) => first.client.set(`item/${i}`, bytes(`${i}`))));
    await first.extension.shutdown();
    const second = await storage(dir);
    expect(await second.client.keys('item/')).toHaveLength(200);
    expect(await text(second.client, 'item/199')).toBe('199');
  });

  it('fails to start with TRB_STORAGE_OPEN_FAILED when the directory cannot be made', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), '');
    const parsed = FileStorageConfig.parse({ directory: join(dir, 'file', 'sub') });
    const extension = new FileStorageExtension(testContext(parsed, 'file_storage', { kind: 'extension' }));
    const err = await extension.start(testHost()).catch((e: unknown) => e);
    expect((err as TributaryError).format()).toMatch(
      /^TRB_STORAGE_OPEN_FAILED extensions\.file_storage\.directory: cannot use directory .*file\/sub: ENOTDIR/,
    );
  });

  it('refuses a directory another running engine holds (TRB_STORAGE_LOCKED); takes it over once that one is gone', async () => {
    const dir = await tempDir();
    // Another process holding the directory, as a second engine started on it would.
    const other = spawn(
      process.execPath,
      [
        '-e',
        `const { writeFileSync } = require('node:fs');
         const { hostname } = require('node:os');
         writeFileSync(process.argv[1], JSON.stringify({ pid: process.pid, host: hostname(), token: 'other' }));
         console.log('locked');
         setInterval(() => {}, 60000);`,
        join(dir, 'tributary.lock'),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await once(other.stdout, 'data');
    const parsed = FileStorageConfig.parse({ directory: dir });
    const refused = new FileStorageExtension(testContext(parsed, 'file_storage', { kind: 'extension' }));
    const err = await refused.start(testHost()).catch((e: unknown) => e);
    expect((err as TributaryError).format()).toBe(
      `TRB_STORAGE_LOCKED extensions.file_storage.directory: directory ${dir} is in use by another engine (process ${other.pid}); give each running engine a directory of its own (if that process is not an engine, delete the tributary.lock file there)`,
    );
    other.kill('SIGKILL');
    await once(other, 'exit');
    // The lock of a process that is gone (killed, crashed) is taken over.
    const { client, extension } = await storage(dir);
    await client.set('k', bytes('v'));
    expect(JSON.parse(await readFile(join(dir, 'tributary.lock'), 'utf8')).pid).toBe(process.pid);
    await extension.shutdown();
    expect(await readdir(dir)).not.toContain('tributary.lock');
  });
});
