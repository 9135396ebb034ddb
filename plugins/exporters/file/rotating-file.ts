import { constants } from 'node:fs';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TributaryError } from '../../../core/errors.js';

const NEWLINE = 0x0a;

export interface RotationSettings {
  /** Bytes. */
  max_size: number;
  max_backups: number;
}

/**
 * A file of lines, appended to and rotated by size: when a write would take it past `max_size`, the
 * file becomes `<path>.1` (`.1` becomes `.2` and so on, the oldest beyond `max_backups` is deleted)
 * and a new file starts. Rotation happens between lines: a batch larger than the room left is split
 * at a line end. A single line longer than `max_size` still goes whole into a file of its own.
 * Appends are serialized; errors are TRB_EXPORTER_FILE_WRITE naming the file.
 */
export class RotatingFile {
  private handle?: FileHandle;
  private size = 0;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    /** Absolute. */
    readonly path: string,
    readonly rotation: RotationSettings,
  ) {}

  /** Appends `bytes` (complete lines) behind earlier appends; rejects, writing nothing, if `signal` aborts first. */
  append(bytes: Buffer, signal?: AbortSignal): Promise<void> {
    return this.serialize(() => {
      signal?.throwIfAborted();
      return this.appendNow(bytes);
    });
  }

  /** Opens (creating parent directories) if not open yet. */
  ensureOpen(): Promise<void> {
    return this.serialize(async () => {
      if (!this.handle) await this.open();
    });
  }

  /** Waits for pending appends and closes the file. It reopens on the next append. */
  close(): Promise<void> {
    return this.serialize(() => this.closeHandle(true));
  }

  private serialize(work: () => Promise<void>): Promise<void> {
    const turn = this.tail.then(work);
    this.tail = turn.catch(() => {});
    return turn;
  }

  private async appendNow(bytes: Buffer): Promise<void> {
    const max = this.rotation.max_size;
    let start = 0;
    while (start < bytes.length) {
      if (!this.handle) await this.open();
      const room = max - this.size;
      if (bytes.length - start <= room) {
        await this.writeAll(bytes.subarray(start));
        return;
      }
      // Not all of it fits: write the lines that do, then rotate.
      let end = room > 0 ? bytes.lastIndexOf(NEWLINE, start + room - 1) : -1;
      if (end < start) {
        if (this.size > 0) {
          await this.rotate();
          continue;
        }
        // An empty file and a line longer than max_size: it goes in whole rather than cut in two.
        end = bytes.indexOf(NEWLINE, start);
        if (end < 0) end = bytes.length - 1;
      }
      await this.writeAll(bytes.subarray(start, end + 1));
      start = end + 1;
      if (start < bytes.length) await this.rotate();
    }
  }

  private async open(): Promise<void> {
    try {
      await makeDirectories(dirname(this.path));
      // Non-blocking: opening a named pipe no process reads would otherwise wait forever.
      const handle = await open(this.path, APPEND);
      try {
        this.size = (await handle.stat()).size;
      } catch (err) {
        await handle.close().catch(() => {});
        throw err;
      }
      this.handle = handle;
    } catch (err) {
      throw fileError('open', this.path, err);
    }
  }

  private async writeAll(chunk: Buffer): Promise<void> {
    const handle = this.handle as FileHandle;
    try {
      let offset = 0;
      while (offset < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
        offset += bytesWritten;
        this.size += bytesWritten;
      }
    } catch (err) {
      // Reopen on the next append: the file may have been moved, or space freed.
      await this.closeHandle(false);
      throw fileError('write to', this.path, err);
    }
  }

  private async rotate(): Promise<void> {
    await this.closeHandle(true);
    const { path } = this;
    const backups = this.rotation.max_backups;
    let step = path;
    try {
      if (backups === 0) {
        await rm(path, { force: true });
      } else {
        step = `${path}.${backups}`;
        await rm(step, { force: true });
        for (let i = backups - 1; i >= 1; i--) {
          step = `${path}.${i}`;
          await renameIfPresent(step, `${path}.${i + 1}`);
        }
        step = path;
        await renameIfPresent(path, `${path}.1`);
      }
    } catch (err) {
      throw fileError('rotate', step, err);
    }
    await this.open();
  }

  private async closeHandle(reportErrors: boolean): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.size = 0;
    if (!handle) return;
    try {
      await handle.close();
    } catch (err) {
      if (reportErrors) throw fileError('close', this.path, err);
    }
  }
}

const { O_WRONLY, O_CREAT, O_APPEND, O_NONBLOCK } = constants;
const APPEND = O_WRONLY | O_CREAT | O_APPEND | O_NONBLOCK;

/**
 * `mkdir -p` one level at a time: Node's recursive mkdir never returns where a file system refuses a
 * directory with ENOENT (under /proc it loops, holding a thread).
 */
async function makeDirectories(dir: string): Promise<void> {
  const made = await mkdir(dir).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      // A file in the way (EEXIST) is left to open(), which says ENOTDIR.
      if (err.code === 'EEXIST') return true;
      if (err.code === 'ENOENT' && dirname(dir) !== dir) return false;
      throw err;
    },
  );
  if (made) return;
  await makeDirectories(dirname(dir));
  await mkdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
}

async function renameIfPresent(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

const REASONS: Record<string, [reason: string, hint: string]> = {
  EACCES: [
    'permission denied',
    'make the file and its directory writable by this process, or choose another path',
  ],
  EPERM: [
    'operation not permitted',
    'make the file and its directory writable by this process, or choose another path',
  ],
  EROFS: ['read-only file system', 'choose a path on a writable file system'],
  ENOSPC: ['no space left on device', 'free disk space, or lower rotation.max_size or rotation.max_backups'],
  EDQUOT: [
    'disk quota exceeded',
    'free space in the quota, or lower rotation.max_size or rotation.max_backups',
  ],
  EISDIR: ['it is a directory', 'path must name a file, e.g. "./telemetry/out.jsonl"'],
  ENOENT: ['this file system does not allow creating it', 'choose a path on a writable file system'],
  ENXIO: ['it is a named pipe no process reads', 'start the reader first, or choose a regular file'],
  ENOTDIR: ['a parent of the path is not a directory', 'check every directory in the path'],
  EMFILE: ['too many open files', 'raise the open file limit (ulimit -n)'],
};

/** A file system failure as the one-line error a user sees. */
export function fileError(action: string, path: string, err: unknown): TributaryError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const [reason, hint] = (code && REASONS[code]) || [
    err instanceof Error ? err.message : String(err),
    'check that the path is writable and the disk has space',
  ];
  const error = new TributaryError(
    'TRB_EXPORTER_FILE_WRITE',
    `cannot ${action} ${path}: ${reason}${code ? ` (${code})` : ''}`,
    {},
    hint,
  );
  error.cause = err;
  return error;
}
