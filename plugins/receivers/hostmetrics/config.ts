import { z } from 'zod';
import { interval } from '../../../core/config/units.js';

const names = z.array(z.string()).min(1);
const matchType = z.enum(['strict', 'regexp']).default('strict');

/** Checks that every entry of `key` compiles when the filter matches by `regexp`. */
const compiles =
  (key: string) =>
  (value: Record<string, unknown> & { match_type: string }, ctx: z.RefinementCtx): void => {
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
  };

/** Filesystem types, matched as the Collector's filters are: `strict` (equal) or `regexp`. */
const FsTypes = z.strictObject({ fs_types: names, match_type: matchType }).superRefine(compiles('fs_types'));
/** Mount points, matched `strict` (equal) or `regexp`. */
const MountPoints = z
  .strictObject({ mount_points: names, match_type: matchType })
  .superRefine(compiles('mount_points'));

/** A scraper with no settings: `cpu: {}` or just `cpu:` (null). */
const plain = () => z.union([z.strictObject({}), z.null()]);

export const FilesystemConfig = z.strictObject({
  include_fs_types: FsTypes.optional(),
  exclude_fs_types: FsTypes.optional(),
  include_mount_points: MountPoints.optional(),
  exclude_mount_points: MountPoints.optional(),
  /** Pseudo filesystems (those /proc/filesystems marks `nodev`: proc, sysfs, tmpfs, overlay...) are skipped unless true. */
  include_virtual_filesystems: z.boolean().default(false),
});
export type FilesystemConfig = z.output<typeof FilesystemConfig>;

const Scrapers = z.strictObject({
  cpu: plain().optional(),
  memory: plain().optional(),
  filesystem: z.union([FilesystemConfig, z.null()]).optional(),
  disk: plain().optional(),
  network: plain().optional(),
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
