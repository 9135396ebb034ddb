import { z } from 'zod';
import { interval } from '../../../core/config/units.js';

export const PercentilesConfig = z
  .strictObject({
    /** Span attributes that make a key; a span with none of them is keyed by its name (`span.name`). */
    keys: z.array(z.string().min(1)).min(1).default(['mcp.method.name', 'gen_ai.tool.name']),
    /** A time window (`1m`), rotated in `sub_windows` steps; the default unless `window_size` is set. */
    window: interval().optional(),
    /** The last N samples per key instead of a time window (the guide's PerformanceMonitor). */
    window_size: z.number().int().min(1).optional(),
    /** How many sub-sketches a window is rotated in: old samples leave one sub-window at a time. */
    sub_windows: z.number().int().min(1).max(60).default(6),
    quantiles: z.array(z.number().gt(0).lt(1)).min(1).default([0.5, 0.95, 0.99]),
    /** Relative accuracy of every quantile (0.005: within 0.5%). */
    relative_accuracy: z.number().gt(0).lt(0.1).default(0.005),
    /** Keys beyond this are not tracked; their spans are counted as overflow. */
    max_keys: z.number().int().min(1).default(1000),
    emit_interval: interval().prefault('15s'),
    /** Metric names are `<prefix>.p50`, `<prefix>.count`... */
    prefix: z.string().min(1).default('latency'),
  })
  .refine((c) => c.window === undefined || c.window_size === undefined, {
    message: 'set either window (a time window such as "1m") or window_size (the last N samples), not both',
    path: ['window_size'],
  })
  .transform(({ window, ...rest }) => ({
    ...rest,
    window: rest.window_size === undefined ? (window ?? 60_000) : undefined,
  }));
export type PercentilesConfig = z.output<typeof PercentilesConfig>;
