import type { Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

/** Where reading a file stands, as kept in storage across restarts. */
export interface Checkpoint {
  /** The file's first bytes (up to fingerprint_size), base64: who the file is, whatever its name. */
  fingerprint: string;
  offset: number;
  path: string;
  /** Inside a line longer than max_log_size, whose start was handed on cut. */
  skipping: boolean;
}

/** One file being read: an open descriptor (which follows it through renames) and how far it was read. */
export class TrackedFile {
  offset = 0;
  skipping = false;
  /** Bytes pending at the last read (an unfinished line or multi-line record), and the size then. */
  pendingAt?: { offset: number; size: number };
  /** Seen by the last poll under one of the include globs. */
  seen = true;
  /** Where it starts is decided (see FilelogReceiver.place): it may be read. */
  placed = false;
  /** Where it starts when nothing else says: its size when first seen with start_at: end, else 0. */
  startedAt = 0;

  private constructor(
    readonly handle: FileHandle,
    public path: string,
    readonly inode: string,
    public fingerprint: Buffer,
  ) {}

  static async open(path: string, stats: Stats, fingerprintSize: number): Promise<TrackedFile> {
    const handle = await open(path, 'r');
    const file = new TrackedFile(handle, path, inodeOf(stats), Buffer.alloc(0));
    file.fingerprint = await file.firstBytes(fingerprintSize);
    return file;
  }

  /** The first `size` bytes as the file holds them now. */
  async firstBytes(size: number): Promise<Buffer> {
    const buffer = Buffer.alloc(size);
    const { bytesRead } = await this.handle.read(buffer, 0, size, 0);
    return buffer.subarray(0, bytesRead);
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  /** Up to `limit` bytes from the current offset. */
  async read(limit: number): Promise<Buffer> {
    const buffer = Buffer.alloc(limit);
    const { bytesRead } = await this.handle.read(buffer, 0, limit, this.offset);
    return buffer.subarray(0, bytesRead);
  }

  checkpoint(): Checkpoint {
    return {
      fingerprint: this.fingerprint.toString('base64'),
      offset: this.offset,
      path: this.path,
      skipping: this.skipping,
    };
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

export const inodeOf = (stats: Pick<Stats, 'dev' | 'ino'>) => `${stats.dev}:${stats.ino}`;

/** Whether `bytes` begins with `prefix` (an empty prefix begins anything). */
export function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return prefix.length <= bytes.length && bytes.subarray(0, prefix.length).equals(prefix);
}

/** Whether two fingerprints are of one file: the shorter (taken when the file was smaller) starts the longer. */
export function sameFile(a: Buffer, b: Buffer): boolean {
  if (a.length === 0 || b.length === 0) return false;
  const n = Math.min(a.length, b.length);
  return a.subarray(0, n).equals(b.subarray(0, n));
}
