import { fstatSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

/** Whether `path` is this process's stdout under any name (/dev/stdout, /proc/self/fd/1, a symlink). */
export function isStdout(path: string): boolean {
  try {
    const [file, out] = [statSync(resolve(path)), fstatSync(1)];
    return file.dev === out.dev && file.ino === out.ino;
  } catch {
    return false;
  }
}
