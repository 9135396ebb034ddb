import { z } from 'zod';
import { duration } from '../../../core/config/units.js';

export const MemoryLimiterConfig = z
  .strictObject({
    check_interval: duration().prefault('1s').describe('how often the process memory is measured'),
    limit_mib: z.number().positive().optional().describe('the hard limit, in MiB (1 MiB = 1048576 bytes)'),
    spike_limit_mib: z
      .number()
      .nonnegative()
      .optional()
      .describe(
        'headroom below limit_mib for a spike between checks; data is refused above limit - spike. Default 20% of limit_mib',
      ),
    limit_percentage: z
      .number()
      .positive()
      .max(100)
      .optional()
      .describe('the hard limit, as a percentage of total memory (the cgroup limit when there is one)'),
    spike_limit_percentage: z
      .number()
      .nonnegative()
      .max(100)
      .optional()
      .describe(
        'headroom below limit_percentage, in percent of total memory. Default 20% of limit_percentage',
      ),
  })
  .superRefine((c, ctx) => {
    if (c.check_interval <= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['check_interval'],
        message: 'check_interval must be greater than 0',
      });
    }
    if ((c.limit_mib === undefined) === (c.limit_percentage === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: c.limit_mib === undefined ? [] : ['limit_percentage'],
        message:
          c.limit_mib === undefined
            ? 'set exactly one of limit_mib or limit_percentage; neither is set'
            : 'set exactly one of limit_mib or limit_percentage, not both',
      });
      return;
    }
    // The same rule in either unit: the spike is given in the limit's unit and is smaller than it.
    const unit = c.limit_mib !== undefined ? 'mib' : 'percentage';
    const other = unit === 'mib' ? 'percentage' : 'mib';
    const limit = c[`limit_${unit}`] as number;
    const spike = c[`spike_limit_${unit}`];
    if (c[`spike_limit_${other}`] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [`spike_limit_${other}`],
        message: `spike_limit_${other} goes with limit_${other}; with limit_${unit} use spike_limit_${unit}`,
      });
    } else if (spike !== undefined && spike >= limit) {
      ctx.addIssue({
        code: 'custom',
        path: [`spike_limit_${unit}`],
        message: `spike_limit_${unit} (${spike}) must be less than limit_${unit} (${limit})`,
      });
    }
  });

export type MemoryLimiterConfig = z.output<typeof MemoryLimiterConfig>;
