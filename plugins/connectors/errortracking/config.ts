import { z } from 'zod';
import { duration, interval } from '../../../core/config/units.js';

export const ErrorTrackingConfig = z.strictObject({
  /** Attributes (of the span or log record) whose values are kept with each occurrence and label `errors_total`. */
  group_by: z.array(z.string().min(1)).default([]),
  /** How many of the latest occurrences are kept per error type. */
  recent: z.number().int().min(0).max(100).default(5),
  /** More errors of one type than this within `window` make one alert log record. */
  alert_threshold: z.number().int().min(1).default(10),
  /** The span of time `alert_threshold` is counted over; at most one alert per type per window. */
  window: duration()
    .refine((ms) => ms > 0, { message: 'window must be greater than 0' })
    .prefault('5m'),
  /** Error types tracked; errors of further types are counted under `_OTHER`. */
  max_types: z.number().int().min(1).default(1000),
  /** How often `errors_total` is sent down the metrics pipelines (and whenever a pull exporter is scraped). */
  collection_interval: interval().prefault('10s'),
});
export type ErrorTrackingConfig = z.output<typeof ErrorTrackingConfig>;
