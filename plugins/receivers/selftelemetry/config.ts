import { z } from 'zod';
import { interval } from '../../../core/config/units.js';

export const SelfTelemetryConfig = z.strictObject({
  /** How often the engine's own metrics are collected and sent down the pipeline. */
  collection_interval: interval().prefault('10s'),
});
export type SelfTelemetryConfig = z.output<typeof SelfTelemetryConfig>;
