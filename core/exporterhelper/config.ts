import { z } from 'zod';
import { duration } from '../config/units.js';

const retryOnFailure = z
  .strictObject({
    enabled: z.boolean().default(true),
    initial_interval: duration().prefault('5s'),
    max_interval: duration().prefault('30s'),
    /** 0 retries forever (until shutdown's deadline). */
    max_elapsed_time: duration().prefault('300s'),
    multiplier: z.number().min(1).default(1.5),
    randomization_factor: z.number().min(0).max(1).default(0.5),
  })
  // A zero interval would retry in a tight loop against a backend that is down.
  .refine((retry) => !retry.enabled || retry.initial_interval > 0, {
    message: 'initial_interval must be greater than 0 when retry_on_failure is enabled',
    path: ['initial_interval'],
  })
  .meta({ description: 'retry failed sends with exponential backoff and jitter' });

const sendingQueue = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Capacity in batches, not items. */
    queue_size: z.number().int().min(1).default(1000),
    num_consumers: z.number().int().min(1).default(4),
    when_full: z.enum(['block', 'drop_newest']).default('block'),
  })
  .meta({ description: 'buffer batches in memory and send them from num_consumers workers' });

/** The config keys every exporter has. Spread into an exporter's schema, or use exporterConfig(). */
export const exporterSettings = {
  /** Per send attempt; 0 means none. */
  timeout: duration().prefault('5s'),
  retry_on_failure: retryOnFailure.prefault({}),
  sending_queue: sendingQueue.prefault({}),
};

/** An exporter's config schema: the shared keys plus its own (which may override a shared key's default). */
export function exporterConfig<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(exporterSettings).extend(shape);
}

const exporterSettingsSchema = z.strictObject(exporterSettings);

/** The shared keys after validation: durations in milliseconds. */
export type ExporterSettings = z.output<typeof exporterSettingsSchema>;
export type RetrySettings = ExporterSettings['retry_on_failure'];
export type QueueSettings = ExporterSettings['sending_queue'];
