import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Host } from '../../../core/component.js';
import { type Encoding, encodeBatch } from '../../../core/encoding/index.js';
import type { Sender } from '../../../core/exporterhelper/index.js';
import type { Batch, Signal } from '../../../core/signals.js';
import type { FileConfig } from './config.js';
import { RotatingFile, type RotationSettings } from './rotating-file.js';

/*
 * One RotatingFile per path in the process: the traces, metrics and logs exporters of one `file`
 * component (and any other component naming the same path) append to it in turn, so rotation and
 * size accounting stay right. The last user to shut down closes it.
 */
const files = new Map<string, { file: RotatingFile; users: number }>();

function acquire(path: string, rotation: RotationSettings, logger: Logger): RotatingFile {
  const shared = files.get(path);
  if (shared) {
    shared.users++;
    const { max_size, max_backups } = shared.file.rotation;
    if (max_size !== rotation.max_size || max_backups !== rotation.max_backups) {
      logger.warn(
        { path },
        'another file exporter writes this path with other rotation settings; theirs apply',
      );
    }
    return shared.file;
  }
  const file = new RotatingFile(path, rotation);
  files.set(path, { file, users: 1 });
  return file;
}

async function release(file: RotatingFile): Promise<void> {
  const shared = files.get(file.path);
  if (!shared || shared.file !== file) return;
  if (--shared.users > 0) return;
  files.delete(file.path);
  await file.close();
}

/** Appends each batch as lines to a size-rotated file. */
export class FileSender<S extends Signal> implements Sender<S> {
  readonly path: string;
  private readonly encoding: Encoding;
  private readonly rotation: RotationSettings;
  private file?: RotatingFile;

  constructor(
    private readonly signal: S,
    config: Pick<FileConfig, 'path' | 'encoding' | 'rotation'>,
    private readonly logger: Logger,
  ) {
    this.path = resolve(config.path);
    this.encoding = config.encoding;
    this.rotation = config.rotation;
  }

  /** Opens the file at start, as the Collector does: a path it cannot write is a start error, not a surprise later. */
  async start(_host: Host): Promise<void> {
    await this.use().ensureOpen();
  }

  async send(batch: Batch<S>, abort: AbortSignal): Promise<void> {
    const bytes = encodeBatch(this.encoding, this.signal, batch);
    if (bytes.length === 0) return;
    await this.use().append(bytes, abort);
  }

  async shutdown(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    if (file) await release(file);
  }

  private use(): RotatingFile {
    this.file ??= acquire(this.path, this.rotation, this.logger);
    return this.file;
  }
}
