import { z } from 'zod';
import { size } from '../../../core/config/units.js';
import { ENCODINGS } from '../../../core/encoding/index.js';
import { exporterConfig } from '../../../core/exporterhelper/index.js';

const rotation = z
  .strictObject({
    max_size: size()
      .refine((bytes) => bytes > 0, 'max_size must be greater than 0')
      .prefault('100MiB')
      .describe('rotate before the file would grow past this size'),
    max_backups: z
      .number()
      .int()
      .min(0)
      .default(5)
      .describe('rotated files kept as <path>.1 (newest) to <path>.<max_backups>; 0 keeps none'),
  })
  .describe('size-based rotation');

export const FileConfig = exporterConfig({
  path: z
    .string()
    .min(1, 'path must name a file, e.g. "./telemetry/traces.jsonl"')
    .describe('the file to append to; a relative path resolves against the working directory'),
  encoding: z
    .enum(ENCODINGS)
    .default('json')
    .describe(
      'json: one JSON object per span, data point or log record; otlp_json: one OTLP/JSON request per line',
    ),
  rotation: rotation.prefault({}),
});

export type FileConfig = z.output<typeof FileConfig>;
