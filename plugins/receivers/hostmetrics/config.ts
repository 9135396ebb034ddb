import { z } from 'zod';
import { interval } from '../../../core/config/units.js';

const names = z.array(z.string()).min(1);
const matchType = z.enum(['strict', 'regexp']).default('strict');

/**
 * A list of names the Collector's way, `{ <key>: [...], match_type: strict | regexp }`, read as
 * `{ names, match_type }`. Every pattern of a `regexp` list must compile.
 */
const nameList = (key: string) =>
  z
    .strictObject({ [key]: names, match_type: matchType })
    .superRefine((value, ctx) => {
      if (value.match_type !== 'regexp') return;
      for (const [i, pattern] of (value[key] as string[]).entries()) {
        try {
          new RegExp(pattern);
        } catch (err) {
          ctx.addIssue({
            code: 'custom',
            path: [key, i],
            message: `invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`,
            params: { trbCode: 'TRB_CONFIG_INVALID_VALUE' },
          });
        }
      }
    })
    .transform((value) => ({
      names: value[key] as string[],
      match_type: value.match_type as 'strict' | 'regexp',
    }));
export type NameList = z.output<ReturnType<typeof nameList>>;

/** A scraper with no settings: `cpu: {}` or just `cpu:` (null). */
const plain = () => z.union([z.strictObject({}), z.null()]);

export const FilesystemConfig = z.strictObject({
  include_fs_types: nameList('fs_types').optional(),
  exclude_fs_types: nameList('fs_types').optional(),
  include_mount_points: nameList('mount_points').optional(),
  exclude_mount_points: nameList('mount_points').optional(),
  /** Pseudo filesystems (those /proc/filesystems marks `nodev`: proc, sysfs, tmpfs, overlay...) are skipped unless true. */
  include_virtual_filesystems: z.boolean().default(false),
});
export type FilesystemConfig = z.output<typeof FilesystemConfig>;

/** Block devices by name (`sda`, `nvme0n1`, `loop0`), as in /proc/diskstats. */
export const DiskConfig = z.strictObject({
  include: nameList('devices').optional(),
  exclude: nameList('devices').optional(),
});
export type DiskConfig = z.output<typeof DiskConfig>;

/** Network interfaces by name (`eth0`, `lo`), as in /proc/net/dev. */
export const NetworkConfig = z.strictObject({
  include: nameList('interfaces').optional(),
  exclude: nameList('interfaces').optional(),
});
export type NetworkConfig = z.output<typeof NetworkConfig>;

const Scrapers = z.strictObject({
  cpu: plain().optional(),
  memory: plain().optional(),
  filesystem: z.union([FilesystemConfig, z.null()]).optional(),
  disk: z.union([DiskConfig, z.null()]).optional(),
  network: z.union([NetworkConfig, z.null()]).optional(),
  load: plain().optional(),
  process: plain().optional(),
});

export const HostMetricsConfig = z.strictObject({
  /** How often every scraper reads the host and sends its metrics down the pipeline. */
  collection_interval: interval().prefault('10s'),
  /** Where the host's `/` is mounted (a container reading its host's /hostfs); /proc is read under it. */
  root_path: z.string().default('/'),
  /** The scrapers to run, each with its settings. Left out: all of them with their defaults. */
  scrapers: Scrapers.optional(),
});
export type HostMetricsConfig = z.output<typeof HostMetricsConfig>;
