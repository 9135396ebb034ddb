import { z } from 'zod';
import { isRegExp, MatchType } from '../../../core/attributes/match.js';

/** Severity names as the OpenTelemetry log data model numbers them (the lowest of each range). */
export const SEVERITY = { TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 } as const;

const Attribute = z.strictObject({
  key: z.string().min(1),
  value: z.union([z.string(), z.number(), z.boolean()]),
});

/** The conditions of one `include` or `exclude`: an item matches when every condition given holds. */
const conditions = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject({ match_type: MatchType.prefault('strict'), ...shape }).superRefine((value, ctx) => {
    const m = value as Record<string, unknown>;
    const given = Object.keys(shape).filter((k) => m[k] !== undefined);
    if (given.length === 0)
      ctx.addIssue({ code: 'custom', message: `give at least one of ${Object.keys(shape).join(', ')}` });
    if (m.match_type !== 'regexp') return;
    for (const key of given) {
      const list = m[key];
      if (!Array.isArray(list)) continue;
      list.forEach((item, i) => {
        const text = typeof item === 'object' ? String(item.value) : String(item);
        if (!isRegExp(text))
          ctx.addIssue({
            code: 'custom',
            path: [key, i],
            message: `"${text}" is not a valid regular expression`,
          });
      });
    }
  });

const SpanConditions = conditions({
  span_names: z.array(z.string()).min(1).optional().describe('any of these span names'),
  attributes: z.array(Attribute).min(1).optional().describe('every one of these span attributes'),
});
const LogConditions = conditions({
  bodies: z.array(z.string()).min(1).optional().describe('any of these bodies (as text)'),
  record_attributes: z.array(Attribute).min(1).optional().describe('every one of these record attributes'),
  severity_texts: z.array(z.string()).min(1).optional().describe('any of these severity texts'),
  severity_number: z
    .strictObject({
      min: z.union([
        z.enum(Object.keys(SEVERITY) as [keyof typeof SEVERITY]),
        z.number().int().min(1).max(24),
      ]),
      match_undefined: z.boolean().prefault(false).describe('whether a record with no severity matches'),
    })
    .optional()
    .describe('severity at least min (a number 1-24 or TRACE, DEBUG, INFO, WARN, ERROR, FATAL)'),
});
const MetricConditions = conditions({
  metric_names: z.array(z.string()).min(1).optional().describe('any of these metric names'),
  attributes: z.array(Attribute).min(1).optional().describe('every one of these data point attributes'),
});

const includeExclude = <T extends z.ZodType>(c: T) =>
  z.strictObject({
    include: c.optional().describe('keep only what matches'),
    exclude: c.optional().describe('drop what matches'),
  });

export const FilterConfig = z.strictObject({
  spans: includeExclude(SpanConditions).optional(),
  logs: includeExclude(LogConditions).optional(),
  metrics: includeExclude(MetricConditions).optional(),
});
export type FilterConfig = z.output<typeof FilterConfig>;
export type SpanConditions = z.output<typeof SpanConditions>;
export type LogConditions = z.output<typeof LogConditions>;
export type MetricConditions = z.output<typeof MetricConditions>;
