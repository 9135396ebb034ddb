import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchObservableResult, Meter, Observable } from '@opentelemetry/api';
import type { Logger } from 'pino';

/** What a scraper is given: the meter to make its instruments on, and where the host's files are. */
export interface ScraperContext {
  meter: Meter;
  /** The host's `/` (root_path). */
  root: string;
  logger: Logger;
}

/** Reads a file under the host's /proc. */
export const readProc = (root: string, file: string): Promise<string> =>
  readFile(join(root, 'proc', file), 'utf8');

/**
 * Registers a scraper's collection on its instruments. A scraper that fails (a file it cannot read)
 * reports nothing that collection and is logged once until it works again; the others still report.
 */
export function addScrape(
  ctx: ScraperContext,
  name: string,
  instruments: Observable[],
  scrape: (result: BatchObservableResult) => Promise<void>,
): void {
  let failing = false;
  ctx.meter.addBatchObservableCallback(async (result) => {
    try {
      await scrape(result);
      if (failing) ctx.logger.info({ scraper: name }, `the ${name} scraper reads the host again`);
      failing = false;
    } catch (err) {
      if (!failing)
        ctx.logger.warn(
          { code: 'TRB_HOSTMETRICS_SCRAPE_FAILED', scraper: name, error: (err as Error).message },
          `the ${name} scraper cannot read the host; its metrics are left out until it can`,
        );
      failing = true;
    }
  }, instruments);
}
