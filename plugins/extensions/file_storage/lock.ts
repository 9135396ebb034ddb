import { randomUUID } from 'node:crypto';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Who holds a directory: written into its lock file. */
interface Holder {
  pid: number;
  host: string;
  token: string;
}

export const LOCK_FILE = 'tributary.lock';

/**
 * The lock on a store directory: one engine per directory, since two would append to the same files
 * with indexes that know nothing of each other's records (and one's compaction would replace the file
 * the other writes to). A lock left by a process that is gone (a crash) is taken over.
 */
export class DirectoryLock {
  private constructor(
    readonly path: string,
    private readonly token: string,
  ) {}

  /** Takes the lock, or returns the process that holds it (the lock file then stays as it is). */
  static async take(directory: string): Promise<DirectoryLock | Holder> {
    const path = join(directory, LOCK_FILE);
    const me: Holder = { pid: process.pid, host: hostname(), token: randomUUID() };
    for (let attempt = 0; ; attempt++) {
      try {
        await writeFile(path, JSON.stringify(me), { flag: 'wx' });
        return new DirectoryLock(path, me.token);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      }
      const holder = await readHolder(path);
      if (holder && isAlive(holder)) return holder;
      await unlink(path).catch(() => {});
    }
  }

  /** Gives the lock up, unless another instance of this process took it over since (a reload). */
  async release(): Promise<void> {
    const holder = await readHolder(this.path);
    if (holder?.token === this.token) await unlink(this.path).catch(() => {});
  }
}

async function readHolder(path: string): Promise<Holder | undefined> {
  try {
    const holder = JSON.parse(await readFile(path, 'utf8')) as Partial<Holder>;
    if (typeof holder.pid === 'number' && typeof holder.host === 'string') return holder as Holder;
  } catch {
    // gone, or not a lock this engine wrote: taken over
  }
  return undefined;
}

/**
 * Whether the holder still runs: a process on this host with its pid. This process itself never
 * blocks (a reload's replaced extension hands the directory to its successor), nor does another
 * host's, which cannot be checked (a restarted container comes back under a new host name).
 */
function isAlive(holder: Holder): boolean {
  if (holder.host !== hostname() || holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
