import { writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { BadRange } from './records.js';

/** Corrupt ranges logged one by one; the rest are summed up in one line. */
const LOGGED_BAD_RANGES = 5;

/**
 * Copies the bytes of `log` (the store at `path`) that are not whole records to
 * `<path>.corrupt-<time>`, for a human to look at, and logs each range as TRB_STORAGE_CORRUPT_RECORD.
 * The store then leaves them out. A copy that cannot be written (a full disk) is only logged.
 */
export async function quarantine(path: string, log: Buffer, bad: BadRange[], logger: Logger): Promise<void> {
  const aside = `${path}.corrupt-${new Date().toISOString().replaceAll(':', '-')}`;
  const kept = await writeFile(
    aside,
    Buffer.concat(bad.map((range) => log.subarray(range.offset, range.end))),
  ).then(
    () => `moved to ${aside}`,
    (err: Error) => `not kept (cannot write ${aside}: ${err.message})`,
  );
  const code = 'TRB_STORAGE_CORRUPT_RECORD';
  for (const range of bad.slice(0, LOGGED_BAD_RANGES)) {
    const bytes = range.end - range.offset;
    logger.warn(
      { code, file: path, offset: range.offset, bytes, quarantined_to: aside },
      `${code} ${path}: ${range.reason} at byte ${range.offset} (${bytes} bytes); ${kept}; the other records are used`,
    );
  }
  if (bad.length > LOGGED_BAD_RANGES) {
    const ranges = bad.length - LOGGED_BAD_RANGES;
    logger.warn(
      { code, file: path, ranges, quarantined_to: aside },
      `${code} ${path}: ${ranges} more corrupt ranges; ${kept}`,
    );
  }
}
