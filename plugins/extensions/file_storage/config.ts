import { z } from 'zod';
import { size } from '../../../core/config/units.js';

export const FileStorageConfig = z.strictObject({
  directory: z
    .string()
    .min(1)
    .describe(
      'where the stores live, one file per component and signal; relative paths are from the working directory',
    ),
  create_directory: z
    .boolean()
    .default(true)
    .describe('create the directory (and its parents) when it is missing'),
  fsync: z
    .enum(['batch', 'always', 'never'])
    .default('batch')
    .describe(
      'batch: writes that arrive together are written and flushed to disk once, then all answered; always: one flush per write; never: leave flushing to the OS (survives a crash of the process, not of the machine)',
    ),
  max_size: size()
    .prefault('256MiB')
    .describe(
      'the most bytes one store (one component and signal) takes on disk; writes past it are refused',
    ),
  compaction: z
    .strictObject({
      on_start: z
        .boolean()
        .default(true)
        .describe('rewrite each store without its garbage when it is opened'),
      garbage_ratio: z
        .number()
        .gt(0)
        .max(1)
        .default(0.5)
        .describe('while running, rewrite a store (of 1 MiB or more) once this share of its file is garbage'),
    })
    .prefault({})
    .describe('reclaiming the space of deleted and overwritten records'),
});

export type FileStorageConfig = z.output<typeof FileStorageConfig>;
