// A mount whose statfs never returns (a hung NFS server) must not stall the filesystem scraper.
import type { StatsFs } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { millisToHrTime } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { Observations } from '../../../../plugins/receivers/hostmetrics/scrape.js';
import { filesystemScraper } from '../../../../plugins/receivers/hostmetrics/scrapers/filesystem.js';

const root = join(import.meta.dirname, 'fixtures/root');
const config = {
  include_virtual_filesystems: true,
  include_fs_types: { names: ['proc', 'ext4'], match_type: 'strict' as const },
};

async function mountpoints(scraper: ReturnType<typeof filesystemScraper>): Promise<string[]> {
  const result = new Observations(millisToHrTime(0), millisToHrTime(Date.now()));
  await scraper.scrape(result);
  const limit = result.metrics().find((m) => m.descriptor.name === 'system.filesystem.limit');
  return (limit?.dataPoints ?? []).map((p) => String(p.attributes['system.filesystem.mountpoint'])).sort();
}

describe('a filesystem whose statfs hangs', () => {
  it('is left out, and not asked again, until its statfs returns; the others are still reported', async () => {
    let release: (() => void) | undefined;
    const stats = await statfs(root);
    const hung = join(root, '/proc');
    const asked: string[] = [];
    const stat = (path: string): Promise<StatsFs> => {
      asked.push(path);
      // Every other answer is at hand at once: a real statfs on a loaded machine could pass the 10 ms.
      if (path !== hung || release) return Promise.resolve(stats);
      // As a hung NFS server: the first call returns only when the test lets it.
      return new Promise((resolve) => {
        release = () => resolve(stats);
      });
    };
    const scraper = filesystemScraper(root, config, { stat, timeoutMs: 10 });

    expect(await mountpoints(scraper)).toEqual(['/']);
    expect(await mountpoints(scraper)).toEqual(['/']);
    expect(asked.filter((p) => p === hung)).toHaveLength(1);

    release?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await mountpoints(scraper)).toEqual(['/', '/proc']);
  });
});
