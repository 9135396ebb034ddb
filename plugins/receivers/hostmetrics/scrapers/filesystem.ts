import type { StatsFs } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { FilesystemConfig } from '../config.js';
import { nameFilter } from '../filter.js';
import { type Mount, parseMounts, parseVirtualTypes } from '../procfs.js';
import { gauge, readProc, type Scraper, upDownCounter } from '../scrape.js';

/** The mounts to report: the last mount on each mount point (it hides the ones below), filtered. */
export function selectMounts(mounts: Mount[], virtualTypes: Set<string>, config: FilesystemConfig): Mount[] {
  const typeOk = nameFilter(config.include_fs_types, config.exclude_fs_types);
  const pointOk = nameFilter(config.include_mount_points, config.exclude_mount_points);
  const byPoint = new Map<string, Mount>();
  for (const mount of mounts) byPoint.set(mount.mountpoint, mount);
  return [...byPoint.values()].filter(
    (m) =>
      (config.include_virtual_filesystems || !virtualTypes.has(m.type)) &&
      typeOk(m.type) &&
      pointOk(m.mountpoint),
  );
}

const USAGE = upDownCounter(
  'system.filesystem.usage',
  'By',
  "Reports a filesystem's space usage across different states.",
);
const LIMIT = upDownCounter('system.filesystem.limit', 'By', 'The total storage capacity of the filesystem.');
const UTILIZATION = gauge(
  'system.filesystem.utilization',
  '1',
  "Fraction of filesystem bytes used, of those unprivileged users can use (df's Use%).",
);

/** How long a statfs may take before its mount is taken as stuck (node_exporter's mount-timeout). */
const STATFS_TIMEOUT_MS = 5000;

type StatFs = (path: string) => Promise<StatsFs>;

/**
 * `system.filesystem.usage` (used, free, reserved), `.limit` and `.utilization` per mounted filesystem,
 * from statfs. A mount whose statfs does not return in time (a hung NFS server) is left out and not
 * asked again until that call returns, as node_exporter does, so it never stalls the scraper.
 */
export function filesystemScraper(
  root: string,
  config: FilesystemConfig,
  { stat = statfs as StatFs, timeoutMs = STATFS_TIMEOUT_MS } = {},
): Scraper {
  /** Mount points whose statfs is still running (bounded by the host's mounts). */
  const stuck = new Set<string>();
  const statWithin = async (mountpoint: string): Promise<StatsFs | undefined> => {
    const call = stat(join(root, mountpoint)).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    const first = await Promise.race([call, late]);
    clearTimeout(timer);
    if (first !== 'late') return first;
    stuck.add(mountpoint);
    void call.then(() => stuck.delete(mountpoint));
    return undefined;
  };
  return {
    name: 'filesystem',
    async scrape(result) {
      const mounts = parseMounts(await readMounts(root));
      const virtualTypes = parseVirtualTypes(await readProc(root, 'filesystems'));
      for (const mount of selectMounts(mounts, virtualTypes, config)) {
        if (stuck.has(mount.mountpoint)) continue;
        // A mount that cannot be read (no permission, gone since the list was read, stuck) is left out.
        const s = await statWithin(mount.mountpoint);
        if (!s) continue;
        const attributes = {
          'system.device': mount.device,
          'system.filesystem.type': mount.type,
          'system.filesystem.mode': mount.mode,
          'system.filesystem.mountpoint': mount.mountpoint,
        };
        const used = (s.blocks - s.bfree) * s.bsize;
        const free = s.bavail * s.bsize;
        result.observe(USAGE, used, { ...attributes, 'system.filesystem.state': 'used' });
        result.observe(USAGE, free, { ...attributes, 'system.filesystem.state': 'free' });
        // Blocks only root may use.
        result.observe(USAGE, (s.bfree - s.bavail) * s.bsize, {
          ...attributes,
          'system.filesystem.state': 'reserved',
        });
        result.observe(LIMIT, s.blocks * s.bsize, attributes);
        if (used + free > 0) result.observe(UTILIZATION, used / (used + free), attributes);
      }
    },
  };
}

/** The mount table of the host's init (PID 1), as node_exporter reads it; this process's own when that is hidden. */
function readMounts(root: string): Promise<string> {
  return readProc(root, '1/mounts').catch(() => readProc(root, 'self/mounts'));
}
