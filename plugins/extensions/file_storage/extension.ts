import { access, mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Counter, ObservableCallback, ObservableGauge } from '@opentelemetry/api';
import type { Host } from '../../../core/component.js';
import { TributaryError } from '../../../core/errors.js';
import type { StorageClient, StorageExtension } from '../../../core/exporterhelper/storage.js';
import type { CreateContext } from '../../../core/plugin.js';
import type { Signal } from '../../../core/signals.js';
import type { FileStorageConfig } from './config.js';
import { DirectoryLock } from './lock.js';
import { FileStore, type StoreSettings } from './store.js';

interface Opened {
  store: Promise<FileStore>;
  clients: number;
}

/** Durable key-value stores in one directory: one file per component id and signal. */
export class FileStorageExtension implements StorageExtension {
  private readonly directory: string;
  private readonly settings: StoreSettings;
  private readonly opened = new Map<string, Opened>();
  private readonly refusedBytes: Counter;
  private readonly fileBytes: ObservableGauge;
  private readonly observeFiles: ObservableCallback;
  /** The stores open now, for the gauge. */
  private readonly openStores = new Set<FileStore>();
  private lock?: DirectoryLock;

  constructor(private readonly ctx: CreateContext<FileStorageConfig>) {
    const { directory, fsync, max_size, compaction } = ctx.config;
    this.directory = resolve(directory);
    this.settings = {
      fsync,
      maxSize: max_size,
      compactOnStart: compaction.on_start,
      garbageRatio: compaction.garbage_ratio,
      owner: ctx.id,
    };
    this.refusedBytes = ctx.meter.createCounter('tributary_storage_refused_bytes', {
      description:
        'Bytes a file_storage store refused to write: its max_size, a full disk, or a failed write.',
      unit: 'By',
    });
    this.fileBytes = ctx.meter.createObservableGauge('tributary_storage_file_bytes', {
      description: 'Bytes each file_storage store takes on disk, garbage not yet compacted included.',
      unit: 'By',
    });
    this.observeFiles = (result) => {
      for (const store of this.openStores)
        result.observe(store.bytes, { component: ctx.id, store: basename(store.path) });
    };
    this.fileBytes.addCallback(this.observeFiles);
  }

  async start(_host: Host): Promise<void> {
    try {
      if (this.ctx.config.create_directory) await mkdir(this.directory, { recursive: true });
      else await access(this.directory);
    } catch (err) {
      throw new TributaryError(
        'TRB_STORAGE_OPEN_FAILED',
        `cannot use directory ${this.directory}: ${(err as Error).message}`,
        { path: `extensions.${this.ctx.id}.directory` },
        'a directory this process can create, read and write',
      );
    }
    const lock = await DirectoryLock.take(this.directory).catch((err: Error) => {
      throw new TributaryError(
        'TRB_STORAGE_OPEN_FAILED',
        `cannot lock directory ${this.directory}: ${err.message}`,
        { path: `extensions.${this.ctx.id}.directory` },
        'a directory this process can create, read and write',
      );
    });
    if (!(lock instanceof DirectoryLock)) {
      throw new TributaryError(
        'TRB_STORAGE_LOCKED',
        `directory ${this.directory} is in use by another engine (process ${lock.pid})`,
        { path: `extensions.${this.ctx.id}.directory` },
        'give each running engine a directory of its own (if that process is not an engine, delete the tributary.lock file there)',
      );
    }
    this.lock = lock;
  }

  /** The store of `componentId` and `signal`; clients of the same pair share one store. */
  async getClient(componentId: string, signal: Signal): Promise<StorageClient> {
    const path = join(this.directory, `${encodeURIComponent(componentId)}.${signal}.store`);
    let opened = this.opened.get(path);
    if (!opened) {
      opened = { store: this.open(path), clients: 0 };
      this.opened.set(path, opened);
      opened.store.catch(() => this.opened.delete(path));
    }
    opened.clients++;
    const store = await opened.store;
    return new Client(store, () => this.release(path));
  }

  async shutdown(): Promise<void> {
    this.fileBytes.removeCallback(this.observeFiles);
    const stores = [...this.opened.values()].map((opened) => opened.store);
    this.opened.clear();
    this.openStores.clear();
    await Promise.allSettled(stores.map(async (store) => (await store).close()));
    await this.lock?.release();
    this.lock = undefined;
  }

  private async open(path: string): Promise<FileStore> {
    const events = {
      refused: (bytes: number, code: string) =>
        this.refusedBytes.add(bytes, { component: this.ctx.id, reason: code }),
    };
    try {
      const store = await FileStore.open(path, this.settings, this.ctx.logger, events);
      this.openStores.add(store);
      return store;
    } catch (err) {
      throw new TributaryError(
        'TRB_STORAGE_OPEN_FAILED',
        `cannot open store ${path}: ${(err as Error).message}`,
        { path: `extensions.${this.ctx.id}.directory` },
        'a directory this process can read and write',
      );
    }
  }

  private async release(path: string): Promise<void> {
    const opened = this.opened.get(path);
    if (!opened || --opened.clients > 0) return;
    this.opened.delete(path);
    const store = await opened.store;
    this.openStores.delete(store);
    await store.close();
  }
}

/** One user's handle on a shared store: closing it closes the store once no other user holds it. */
class Client implements StorageClient {
  private closed = false;

  constructor(
    private readonly store: FileStore,
    private readonly onClose: () => Promise<void>,
  ) {}

  get(key: string): Promise<Uint8Array | undefined> {
    return this.store.get(key);
  }

  set(key: string, value: Uint8Array): Promise<void> {
    return this.store.set(key, value);
  }

  delete(key: string): Promise<void> {
    return this.store.delete(key);
  }

  keys(prefix: string): Promise<string[]> {
    return this.store.keys(prefix);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return this.onClose();
  }
}
