import { z } from 'zod';
import { isRegExp, MatchType } from '../../../core/attributes/match.js';

const Operation = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('add_label'),
    new_label: z.string().min(1).describe('the label to add'),
    new_value: z.string().describe('its value on every point'),
  }),
  z.strictObject({
    action: z.literal('update_label'),
    label: z.string().min(1).describe('the label to rename'),
    new_label: z.string().min(1).describe('its new name'),
  }),
  z.strictObject({
    action: z.literal('delete_label'),
    label: z
      .string()
      .min(1)
      .describe('the label to remove (points that then collide are not merged: use aggregate_labels)'),
  }),
  z.strictObject({
    action: z.literal('delete_label_value'),
    label: z.string().min(1),
    label_value: z.string().describe('points whose label has this value are dropped'),
  }),
  z.strictObject({
    action: z.literal('aggregate_labels'),
    label_set: z.array(z.string()).describe('the labels to keep; points equal on them are merged'),
    aggregation_type: z.enum(['sum', 'mean', 'max', 'min']),
  }),
  z.strictObject({
    action: z.literal('experimental_scale_value'),
    experimental_scale: z.number().describe('every value is multiplied by this'),
  }),
]);
export type Operation = z.output<typeof Operation>;

const Transform = z
  .strictObject({
    include: z.string().min(1).describe('the metric name (or a regular expression with match_type: regexp)'),
    match_type: MatchType.prefault('strict'),
    experimental_match_labels: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        'with action insert: copy only points whose labels match (strict, or regexp with match_type)',
      ),
    action: z.enum(['update', 'insert']).describe('update changes the metric; insert changes a copy'),
    new_name: z.string().min(1).optional(),
    new_unit: z
      .string()
      .optional()
      .describe('Tributary addition: the unit after the transform (e.g. % after scaling a ratio)'),
    operations: z.array(Operation).prefault([]),
  })
  .superRefine((t, ctx) => {
    if (t.action === 'insert' && !t.new_name)
      ctx.addIssue({
        code: 'custom',
        path: ['new_name'],
        message: "action insert needs new_name (the copy's name)",
      });
    if (t.experimental_match_labels && t.action !== 'insert')
      ctx.addIssue({
        code: 'custom',
        path: ['experimental_match_labels'],
        message: 'experimental_match_labels goes with action insert (a copy of the matching points)',
      });
    if (t.match_type === 'regexp') {
      for (const [path, value] of [
        [['include'], t.include],
        ...Object.entries(t.experimental_match_labels ?? {}).map(([k, v]) => [
          ['experimental_match_labels', k],
          v,
        ]),
      ] as [string[], string][]) {
        if (!isRegExp(value))
          ctx.addIssue({ code: 'custom', path, message: `"${value}" is not a valid regular expression` });
      }
    }
  });
export type Transform = z.output<typeof Transform>;

export const MetricsTransformConfig = z.strictObject({
  transforms: z.array(Transform).prefault([]).describe('applied in order to each batch'),
});
export type MetricsTransformConfig = z.output<typeof MetricsTransformConfig>;
