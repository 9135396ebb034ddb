import { z } from 'zod';
import { duration } from '../config/units.js';

const retryOnFailure = z
  .strictObject({
    enabled: z.boolean().default(true).describe('retry sends that fail with anything but a PermanentError'),
    initial_interval: duration().prefault('5s').describe('the wait before the first retry'),
    max_interval: duration().prefault('30s').describe('the longest wait between two retries'),
    max_elapsed_time: duration()
      .prefault('300s')
      .describe('give a batch up once this long has passed since its first attempt; 0 retries forever'),
    multiplier: z.number().min(1).default(1.5).describe('each wait is this many times the previous one'),
    randomization_factor: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('jitter: each wait is the interval * (1 ± this factor)'),
  })
  // A zero interval would retry in a tight loop against a backend that is down.
  .refine((retry) => !retry.enabled || retry.initial_interval > 0, {
    message: 'initial_interval must be greater than 0 when retry_on_failure is enabled',
    path: ['initial_interval'],
  })
  .describe('retry failed sends with exponential backoff and jitter');

const sendingQueue = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('queue batches in memory; when off, consume() waits for the send and its retries'),
    queue_size: z.number().int().min(1).default(1000).describe('the most batches (not items) queued'),
    num_consumers: z.number().int().min(1).default(4).describe('batches sent at once'),
    when_full: z
      .enum(['block', 'drop_newest'])
      .default('block')
      .describe('block: make the pipeline wait for room; drop_newest: refuse the batch and count it dropped'),
    storage: z
      .string()
      .min(1)
      .optional()
      .describe(
        'the id of a storage extension (file_storage or file_storage/<name>) to keep the queue in: batches are accepted once written there and sent after a restart',
      ),
  })
  // Without the queue nothing is held to persist: a storage key there would silently do nothing.
  .refine((queue) => queue.enabled || queue.storage === undefined, {
    message: 'storage needs the sending queue: remove storage, or set enabled: true',
    path: ['storage'],
  })
  .describe('buffer batches (in memory, or in a storage extension) and send them from num_consumers workers');

/** The config keys every exporter has. Spread into an exporter's schema, or use exporterConfig(). */
export const exporterSettings = {
  timeout: duration().prefault('5s').describe('the longest one send attempt may take; 0 means no limit'),
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

/** The storage extension an exporter's persistent queue lives on (`sending_queue.storage`), if it has one. */
export function queueStorageOf(config: unknown): string | undefined {
  const queue = (config as { sending_queue?: { storage?: unknown } } | undefined)?.sending_queue;
  return typeof queue?.storage === 'string' ? queue.storage : undefined;
}
