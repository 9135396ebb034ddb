import { z } from 'zod';

/** The forward connector has no settings; any key is an error. */
export const ForwardConfig = z.strictObject({});

export type ForwardConfig = z.output<typeof ForwardConfig>;
