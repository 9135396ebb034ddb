import { z } from 'zod';
import { ENCODINGS } from '../../../core/encoding/index.js';
import { exporterConfig } from '../../../core/exporterhelper/index.js';

export const StdoutConfig = exporterConfig({
  stream: z.enum(['stdout', 'stderr']).default('stdout').describe('the process stream to write to'),
  encoding: z
    .enum(ENCODINGS)
    .default('json')
    .describe(
      'json: one JSON object per span, data point or log record; otlp_json: one OTLP/JSON request per line',
    ),
});

export type StdoutConfig = z.output<typeof StdoutConfig>;
