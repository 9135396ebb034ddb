import { z } from 'zod';
import { duration, interval } from '../../../core/config/units.js';

export const ErrorTrackingConfig = z.strictObject({
  group_by: z
    .array(z.string().min(1))
    .default([])
    .describe('attributes kept with each error and added as labels of errors_total, e.g. [gen_ai.tool.name]'),
  recent: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(5)
    .describe('how many of the latest errors are kept per type'),
  alert_threshold: z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('more errors of one type than this within `window` send one alert log record'),
  window: duration()
    .refine((ms) => ms > 0, { message: 'window must be greater than 0' })
    .prefault('5m')
    .describe('how long the alert window of a type lasts; at most one alert per type per window'),
  max_types: z
    .number()
    .int()
    .min(1)
    .default(1000)
    .describe('error types tracked; errors of further types are counted as _OTHER'),
  collection_interval: interval()
    .prefault('10s')
    .describe('how often errors_total is sent to the metrics pipelines (and on every scrape)'),
});
export type ErrorTrackingConfig = z.output<typeof ErrorTrackingConfig>;
