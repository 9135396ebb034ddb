import { z } from 'zod';
import { AttributeAction } from '../../../core/attributes/actions.js';

export const AttributesConfig = z.strictObject({
  actions: z
    .array(AttributeAction)
    .min(1)
    .describe('actions on the attributes of spans, log records or metric data points, in order'),
});
export type AttributesConfig = z.output<typeof AttributesConfig>;
