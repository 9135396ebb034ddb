import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Logger } from 'pino';
import { TributaryError } from '../../../core/errors.js';
import type { StorageClient } from '../../../core/exporterhelper/storage.js';
import { isDiskFull, readOrEmpty, syncDirectory, writeFully } from './files.js';
import { quarantine } from './quarantine.js';
import { checkRecord, deleteRecord, type LogRecord, scan, setRecord, valueStart } from './records.js';

/** A file smaller than this is never compacted while running: rewriting it would gain little. */
const MIN_COMPACT_BYTES = 1024 * 1024;

export type FsyncPolicy = 'batch' | 'always' | 'never';

export interface StoreSettings {
  fsync: FsyncPolicy;
  maxSize: number;
  compactOnStart: boolean;
  garbageRatio: number;
  /** The extension's id, for the `where` of errors. */
  owner: string;
}

/** Counts what a store refused, for the extension's self-telemetry. */
export interface StoreEvents {
  refused(bytes: number, code: string): void;
}

interface Located {
  offset: number;
  bytes: number;
  valueOffset: number;
  valueLength: number;
}

interface Write {
  key: string;
  record: Buffer;
  /** A set: its value's offset inside `record`. */
  valueAt?: number;
  resolve(): void;
  reject(err: Error): void;
}

/**
 * One component's (and signal's) key-value store: an append-only log file of checksummed records
 * and, in memory, only where each live key's value lies. Writes queued while one is written go out
 * together (one write, one fsync: a group commit); set() and delete() resolve once their record is
 * written and, unless `fsync: never`, flushed to disk.
 */
export class FileStore implements StorageClient {
  private readonly index = new Map<string, Located>();
  /** Bytes of the file that live keys' records take; the rest is garbage for compaction. */
  private liveBytes = 0;
  private fileBytes = 0;
  private pending: Write[] = [];
  private writing?: Promise<void>;
  private compacting?: Promise<void>;
  private readonly reads = new Set<Promise<unknown>>();
  private closed = false;

  private constructor(
    private fh: FileHandle,
    readonly path: string,
    private readonly settings: StoreSettings,
    private readonly logger: Logger,
    private readonly events: StoreEvents,
  ) {}

  /** Opens (or creates) the store at `path`, moving aside what is not a whole record. */
  static async open(
    path: string,
    settings: StoreSettings,
    logger: Logger,
    events: StoreEvents,
  ): Promise<FileStore> {
    const log = await readOrEmpty(path);
    const { records, bad } = scan(log);
    const store = new FileStore(await open(path, 'a+'), path, settings, logger, events);
    store.fileBytes = log.length;
    for (const record of records) store.apply(record, record.offset);
    if (bad.length > 0) await quarantine(path, log, bad, logger);
    if (bad.length > 0 || (settings.compactOnStart && store.garbage() > 0) || store.tooMuchGarbage()) {
      // Without the rewrite (a full disk) the store still works: records appended after bad bytes are
      // found again by the next open, which moves the same bad bytes aside once more.
      await store
        .rewrite((at) => log.subarray(at.offset, at.offset + at.bytes))
        .catch((err: Error) =>
          logger.warn(
            { file: path, err: err.message },
            'cannot compact the store at start; it is used as it is',
          ),
        );
    }
    return store;
  }

  /** The file's size: live records and garbage not yet compacted away. */
  get bytes(): number {
    return this.fileBytes;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.checkOpen();
    while (this.compacting) await this.compacting;
    // From here to reads.add nothing awaits: a compaction starting later waits for this read.
    const at = this.index.get(key);
    if (!at) return undefined;
    const read = this.readRecord(at);
    this.reads.add(read);
    try {
      const bytes = await read;
      if (checkRecord(bytes)) return bytes.subarray(at.valueOffset - at.offset);
      // Only this record is lost: forget it, as a corrupt record found at open would be.
      this.logger.warn(
        { code: 'TRB_STORAGE_CORRUPT_RECORD', file: this.path, offset: at.offset, key },
        `TRB_STORAGE_CORRUPT_RECORD ${this.path}: the record of "${key}" at byte ${at.offset} no longer matches its checksum; it is dropped`,
      );
      this.forget(key);
      return undefined;
    } finally {
      this.reads.delete(read);
    }
  }

  set(key: string, value: Uint8Array): Promise<void> {
    return this.enqueue(key, setRecord(key, value), valueStart(key));
  }

  delete(key: string): Promise<void> {
    if (!this.index.has(key) && !this.pending.some((w) => w.key === key)) return Promise.resolve();
    return this.enqueue(key, deleteRecord(key), undefined);
  }

  keys(prefix: string): Promise<string[]> {
    this.checkOpen();
    return Promise.resolve([...this.index.keys()].filter((key) => key.startsWith(prefix)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.writing) await this.writing;
    await this.fh.close();
  }

  private enqueue(key: string, record: Buffer, valueAt: number | undefined): Promise<void> {
    this.checkOpen();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ key, record, valueAt, resolve, reject });
      this.writing ??= this.writeAll();
    });
  }

  private async writeAll(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.settings.fsync === 'always' ? this.pending.splice(0, 1) : this.pending.splice(0);
      await this.commit(group);
    }
    this.writing = undefined;
  }

  /** Writes a group of records at the end of the file; each write's promise settles with the group. */
  private async commit(group: Write[]): Promise<void> {
    const groupBytes = group.reduce((sum, w) => sum + w.record.length, 0);
    // Garbage is the room to make before refusing anything.
    if (this.fileBytes + groupBytes > this.settings.maxSize && this.garbage() > 0) await this.compactNow();
    const admitted = this.admit(group);
    if (admitted.length === 0) return;
    const bytes = Buffer.concat(admitted.map((w) => w.record));
    let at = this.fileBytes;
    try {
      await this.append(bytes, at).catch(async (err: NodeJS.ErrnoException) => {
        if (!isDiskFull(err)) throw err;
        // A delete takes effect in memory even when the disk cannot take its record: compaction
        // leaves the key out (a restart before that finds it again: at-least-once, never lost).
        for (const w of admitted) if (w.valueAt === undefined) this.forget(w.key);
        if (this.garbage() === 0) throw err;
        await this.compactNow();
        at = this.fileBytes;
        await this.append(bytes, at);
      });
    } catch (err) {
      const error = this.writeError(err as NodeJS.ErrnoException, bytes.length);
      for (const w of admitted) {
        if (w.valueAt === undefined && isDiskFull(err as NodeJS.ErrnoException)) w.resolve();
        else w.reject(error);
      }
      return;
    }
    let offset = at;
    for (const w of admitted) {
      this.apply(w, offset);
      offset += w.record.length;
    }
    this.fileBytes = offset;
    for (const w of admitted) w.resolve();
    if (this.tooMuchGarbage()) await this.compactNow();
  }

  /**
   * The writes that fit under `max_size`; the others are refused. Deletes always fit: they are what
   * lets compaction free room.
   */
  private admit(group: Write[]): Write[] {
    let room = this.settings.maxSize - this.fileBytes;
    const admitted: Write[] = [];
    for (const w of group) {
      if (w.valueAt === undefined || w.record.length <= room) {
        admitted.push(w);
        room -= w.record.length;
        continue;
      }
      this.events.refused(w.record.length, 'TRB_STORAGE_FULL');
      w.reject(
        new TributaryError(
          'TRB_STORAGE_FULL',
          `store ${basename(this.path)} would pass its max_size (${this.settings.maxSize} bytes): ${w.record.length} bytes refused`,
          { path: `extensions.${this.settings.owner}.max_size` },
          'raise max_size, or let the exporter catch up (what it holds is sent, then deleted)',
        ),
      );
    }
    return admitted;
  }

  private async append(bytes: Buffer, at: number): Promise<void> {
    try {
      await writeFully(this.fh, bytes, at);
      if (this.settings.fsync !== 'never') await this.fh.datasync();
    } catch (err) {
      // A part written would be garbage in the log: cut it off (if that fails too, the next open skips it).
      await this.fh.truncate(at).catch(() => {});
      throw err;
    }
  }

  private writeError(err: NodeJS.ErrnoException, bytes: number): TributaryError {
    const diskFull = isDiskFull(err);
    const code = diskFull ? 'TRB_STORAGE_DISK_FULL' : 'TRB_STORAGE_WRITE_FAILED';
    this.events.refused(bytes, code);
    return new TributaryError(
      code,
      diskFull
        ? `the disk holding ${this.path} is full (${err.code}): ${bytes} bytes not stored`
        : `cannot write ${this.path}: ${err.message}`,
      { path: `extensions.${this.settings.owner}.directory` },
      diskFull
        ? 'free space on that disk or point directory at another; the engine keeps running and refuses what it cannot store'
        : 'check the directory and its permissions',
    );
  }

  /** Records the effect of a record written (or read at open) at `offset`. */
  private apply(record: LogRecord | Write, offset: number): void {
    this.forget(record.key);
    const bytes = 'bytes' in record ? record.bytes : record.record.length;
    const valueOffset =
      'bytes' in record
        ? record.value?.offset
        : record.valueAt === undefined
          ? undefined
          : offset + record.valueAt;
    if (valueOffset === undefined) return;
    this.index.set(record.key, { offset, bytes, valueOffset, valueLength: offset + bytes - valueOffset });
    this.liveBytes += bytes;
  }

  private forget(key: string): void {
    const old = this.index.get(key);
    if (!old) return;
    this.index.delete(key);
    this.liveBytes -= old.bytes;
  }

  private garbage(): number {
    return this.fileBytes - this.liveBytes;
  }

  private tooMuchGarbage(): boolean {
    return (
      this.fileBytes >= MIN_COMPACT_BYTES && this.garbage() > this.fileBytes * this.settings.garbageRatio
    );
  }

  private async compactNow(): Promise<void> {
    const run = (async () => {
      await Promise.allSettled(this.reads);
      await this.rewrite((at) => this.readRecord(at));
    })();
    // The old file is still whole and in use when this fails; compaction is tried after later writes.
    this.compacting = run.catch((err: Error) =>
      this.logger.warn({ file: this.path, err: err.message }, 'compaction failed; the store goes on'),
    );
    await this.compacting;
    this.compacting = undefined;
  }

  /** Writes the live records to a new file and renames it over the old one: a crash leaves one or the other. */
  private async rewrite(recordOf: (at: Located) => Buffer | Promise<Buffer>): Promise<void> {
    const next = `${this.path}.compacting`;
    const out = await open(next, 'w');
    const moved = new Map<string, Located>();
    let offset = 0;
    try {
      for (const [key, at] of this.index) {
        const bytes = await recordOf(at);
        await writeFully(out, bytes, offset);
        moved.set(key, { ...at, offset, valueOffset: offset + (at.valueOffset - at.offset) });
        offset += bytes.length;
      }
      if (this.settings.fsync !== 'never') await out.sync();
    } catch (err) {
      // A half-written copy would take the room a full disk lacks.
      await out.close();
      await unlink(next).catch(() => {});
      throw err;
    }
    await out.close();
    await rename(next, this.path);
    await syncDirectory(this.path);
    const before = this.fileBytes;
    await this.fh.close();
    this.fh = await open(this.path, 'a+');
    this.index.clear();
    for (const [key, at] of moved) this.index.set(key, at);
    this.fileBytes = this.liveBytes = offset;
    this.logger.debug({ file: this.path, before, after: offset }, 'store compacted');
  }

  private async readRecord(at: Located): Promise<Buffer> {
    const bytes = Buffer.allocUnsafe(at.bytes);
    const { bytesRead } = await this.fh.read(bytes, 0, at.bytes, at.offset);
    return bytes.subarray(0, bytesRead);
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`store ${this.path} is closed`);
  }
}
