import { z } from 'zod';
import { duration, interval, size } from '../../../core/config/units.js';
import { httpHeaders, httpUrl } from '../../../core/otlp/config.js';
import { tlsSettings } from '../../../core/otlp/tls.js';

/** A status code (`200`) or a class (`"2xx"`) a target is expected to answer with. */
const statusCode = z
  .union([
    z.number().int().min(100, 'a status code is 100 to 599').max(599, 'a status code is 100 to 599'),
    z.string().regex(/^[1-5]xx$/, 'a status class is "1xx" to "5xx"; a code is a number, e.g. 200'),
  ])
  .meta({ description: 'a status code (200) or a class ("2xx")' });

const bodyRegex = z
  .string()
  .transform((source, ctx) => {
    try {
      return new RegExp(source);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: (err as Error).message,
        params: { trbCode: 'TRB_CONFIG_INVALID_VALUE' },
      });
      return z.NEVER;
    }
  })
  .meta({ description: 'a JavaScript regular expression the response body must match', type: 'string' });

const Target = z.strictObject({
  endpoint: httpUrl('https://example.com/health').describe('the URL to check'),
  method: z
    .string()
    .regex(/^[A-Z]+$/, 'an HTTP method in capitals, e.g. "GET" or "HEAD"')
    .default('GET')
    .describe('the HTTP method'),
  headers: httpHeaders(),
  body: z.string().optional().describe('the request body, sent as it is'),
  status_codes: z
    .array(statusCode)
    .min(1)
    .default(['2xx'])
    .describe('the answers that count as up: codes (200) or classes ("2xx")'),
  body_regex: bodyRegex.optional(),
  timeout: duration()
    .refine((ms) => ms > 0, {
      message: 'a timeout must be greater than 0, e.g. "5s"',
      params: { trbCode: 'TRB_CONFIG_BAD_DURATION' },
    })
    .optional()
    .describe('how long the whole check may take; default: 10s, or collection_interval if shorter'),
  max_body_size: size()
    .prefault('1MiB')
    .describe('how much of the body body_regex is matched against; the rest is read and discarded'),
  tls: tlsSettings(),
});

export const HttpCheckConfig = z
  .strictObject({
    collection_interval: interval().prefault('60s').describe('how often every target is checked'),
    targets: z
      .array(Target)
      .min(1, 'list at least one target, e.g. [{ endpoint: "http://127.0.0.1:8080/health" }]'),
  })
  .superRefine((config, ctx) => {
    for (const [i, target] of config.targets.entries()) {
      if (target.timeout !== undefined && target.timeout > config.collection_interval) {
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i, 'timeout'],
          message: `a timeout longer than collection_interval (${config.collection_interval} ms) would overlap the next check of this target`,
          params: { trbCode: 'TRB_CONFIG_INVALID_VALUE' },
        });
      }
    }
  })
  .transform((config) => ({
    ...config,
    targets: config.targets.map((t) => ({
      ...t,
      timeout: t.timeout ?? Math.min(DEFAULT_TIMEOUT_MS, config.collection_interval),
    })),
  }));

const DEFAULT_TIMEOUT_MS = 10_000;

export type HttpCheckConfig = z.output<typeof HttpCheckConfig>;
export type HttpCheckTarget = HttpCheckConfig['targets'][number];
