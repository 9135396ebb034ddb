import { z } from 'zod';
import { duration } from '../../../core/config/units.js';

export const BatchConfig = z
  .strictObject({
    send_batch_size: z
      .number()
      .int()
      .nonnegative()
      .default(8192)
      .describe('items (spans, metric data points, log records) held that trigger a send'),
    timeout: duration()
      .prefault('200ms')
      .describe('send whatever is held after this long; 0 sends on every batch received, holding nothing'),
    send_batch_max_size: z
      .number()
      .int()
      .nonnegative()
      .default(0)
      .describe('the most items in one sent batch; larger batches are split. 0 means no upper bound'),
    wait_for_result: z
      .boolean()
      .default(false)
      .describe(
        "consume() resolves once the batch carrying the items was taken by the next consumer (stored, with a persistent sending queue), and rejects with the next consumer's error if it was refused, instead of as soon as the items are held: the receiver acknowledges only data that left this processor",
      ),
    max_held_items: z
      .number()
      .int()
      .positive()
      .default(32768)
      .describe(
        'the most items held: waiting to be batched, or handed on and not yet taken by the next consumer. When full, consume() waits for room',
      ),
  })
  .refine((c) => c.send_batch_max_size === 0 || c.send_batch_max_size >= c.send_batch_size, {
    path: ['send_batch_max_size'],
    error: (issue) => {
      const c = issue.input as { send_batch_size: number; send_batch_max_size: number };
      return `send_batch_max_size (${c.send_batch_max_size}) must be 0 (no upper bound) or at least send_batch_size (${c.send_batch_size})`;
    },
  })
  .refine((c) => c.max_held_items >= Math.max(c.send_batch_size, c.send_batch_max_size), {
    path: ['max_held_items'],
    error: (issue) => {
      const c = issue.input as {
        send_batch_size: number;
        send_batch_max_size: number;
        max_held_items: number;
      };
      return `max_held_items (${c.max_held_items}) must be at least send_batch_size (${c.send_batch_size}) and send_batch_max_size (${c.send_batch_max_size})`;
    },
  });

export type BatchConfig = z.output<typeof BatchConfig>;
