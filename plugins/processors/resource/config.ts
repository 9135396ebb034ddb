import { z } from 'zod';
import { AttributeAction } from '../../../core/attributes/actions.js';

export const ResourceConfig = z.strictObject({
  attributes: z
    .array(AttributeAction)
    .min(1)
    .describe('actions on the resource attributes, in order (insert, update, upsert, delete, hash, extract)'),
});
export type ResourceConfig = z.output<typeof ResourceConfig>;
