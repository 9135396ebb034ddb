import { z } from 'zod';
import { interval, size } from '../../../core/config/units.js';

/** The longest max_log_size: each read of a file takes a buffer of that size. */
const MAX_LOG_SIZE = 64 * 1024 * 1024;

const regex = (what: string) =>
  z
    .string()
    .min(1)
    .superRefine((pattern, ctx) => {
      try {
        new RegExp(pattern);
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          message: `invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`,
          params: { trbCode: 'TRB_CONFIG_INVALID_VALUE' },
        });
      }
    })
    .describe(what);

/** Where a value is read from: an attribute the parser set (`attributes.time`) or `body`. */
const field = z
  .string()
  .regex(/^(body|attributes\.[^.\s][^\s]*)$/, 'attributes.<name> or body')
  .describe('attributes.<name> (a field the parser set) or body');

export const FilelogConfig = z
  .strictObject({
    include: z
      .array(z.string().min(1))
      .min(1)
      .describe(
        'files to read: paths or globs (`*`, `?`, `[...]` within a path segment), relative to the config file',
      ),
    exclude: z
      .array(z.string().min(1))
      .default([])
      .describe('globs of files not to read, among those included'),
    start_at: z
      .enum(['end', 'beginning'])
      .default('end')
      .describe(
        'where to start in files found at the first poll without a checkpoint; files that appear later are read from the beginning',
      ),
    poll_interval: interval().prefault('200ms').describe('how often the globs are matched and files read'),
    storage: z
      .string()
      .min(1)
      .optional()
      .describe('a storage extension (file_storage/<name>) that keeps checkpoints across restarts'),
    fingerprint_size: size()
      .refine((bytes) => bytes > 0, {
        message: 'fingerprint_size must be at least 1B: a file is known by its first bytes, e.g. "1KiB"',
        params: { trbCode: 'TRB_CONFIG_BAD_SIZE' },
      })
      .prefault('1KiB')
      .describe('how many first bytes identify a file (through renames, and after a restart)'),
    max_log_size: size()
      .refine((bytes) => bytes > 0 && bytes <= MAX_LOG_SIZE, {
        message: 'max_log_size must be between 1B and 64MiB (a read holds that much per file), e.g. "1MiB"',
        params: { trbCode: 'TRB_CONFIG_BAD_SIZE' },
      })
      .prefault('1MiB')
      .describe('the longest record; longer ones are cut to it and counted'),
    max_concurrent_files: z
      .number()
      .int()
      .min(1)
      .default(1024)
      .describe(
        'files open at once; while more match, files read to their end are closed to give each its turn',
      ),
    max_batch_size: z.number().int().min(1).default(1000).describe('records handed on at most per consume'),
    multiline: z
      .strictObject({
        line_start_pattern: regex(
          'a line matching it starts a record; others continue the one before',
        ).optional(),
        line_end_pattern: regex('a line matching it ends a record').optional(),
      })
      .superRefine((m, ctx) => {
        if ((m.line_start_pattern === undefined) === (m.line_end_pattern === undefined))
          ctx.addIssue({
            code: 'custom',
            message: 'set exactly one of line_start_pattern or line_end_pattern',
          });
      })
      .optional()
      .describe('records of several lines (stack traces)'),
    parser: z
      .discriminatedUnion('type', [
        z.strictObject({ type: z.literal('json') }),
        z.strictObject({
          type: z.literal('regex'),
          regex: regex('named groups (?<name>...) become attributes'),
        }),
      ])
      .optional()
      .describe('json: a JSON object per record into attributes; regex: named groups into attributes'),
    timestamp: z
      .strictObject({
        parse_from: field,
        layout: z
          .enum(['iso8601', 'epoch_s', 'epoch_ms', 'epoch_us', 'epoch_ns'])
          .default('iso8601')
          .describe(
            'iso8601 (without an offset: UTC), or seconds/milliseconds/microseconds/nanoseconds since the epoch',
          ),
      })
      .optional()
      .describe("the record's time, from a parsed field; the read time without it"),
    body_from: z
      .string()
      .regex(/^attributes\.[^.\s][^\s]*$/, 'attributes.<name>')
      .optional()
      .describe(
        "the body is this parsed attribute (moved out of the attributes) instead of the record's text",
      ),
    severity: z
      .strictObject({ parse_from: field })
      .optional()
      .describe(
        'the severity, from a parsed field: TRACE, DEBUG, INFO, WARN/WARNING, ERROR, FATAL/CRITICAL (any case)',
      ),
  })
  .superRefine((c, ctx) => {
    if (c.parser === undefined)
      for (const key of ['timestamp', 'severity', 'body_from'] as const) {
        const from = key === 'body_from' ? c.body_from : c[key]?.parse_from;
        if (from?.startsWith('attributes.'))
          ctx.addIssue({
            code: 'custom',
            path: key === 'body_from' ? [key] : [key, 'parse_from'],
            message: `${key} names an attribute, but no parser sets attributes: add parser: { type: json } or regex`,
          });
      }
  });

export type FilelogConfig = z.output<typeof FilelogConfig>;
