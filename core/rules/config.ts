import { z } from 'zod';
import { duration, interval } from '../config/units.js';

/** The config of the alertrules processor and connector (Prometheus's rule_files and global settings). */
export const AlertRulesConfig = z.strictObject({
  rule_files: z
    .array(z.string().min(1))
    .min(1)
    .describe('Prometheus rule files: paths or globs (*, ?, [...]) relative to the config file'),
  evaluation_interval: interval()
    .prefault('15s')
    .describe(
      "how often a group is evaluated when it sets no interval of its own (Prometheus's global default)",
    ),
  external_labels: z
    .record(z.string().min(1), z.string())
    .default({})
    .describe('labels added to every alert notification, and $externalLabels in templates'),
  external_url: z
    .url()
    .default('http://localhost:9090')
    .describe("the base of alerts' generator URLs and $externalURL (Prometheus's --web.external-url)"),
  resend_delay: duration()
    .prefault('1m')
    .describe('how often a firing alert is notified again while it fires'),
  max_series: z
    .number()
    .int()
    .min(1)
    .default(50_000)
    .describe(
      'the most series the window holds (inputs and rule outputs); samples of further series are refused and counted',
    ),
  max_samples_per_series: z
    .number()
    .int()
    .min(2)
    .default(1_000)
    .describe('the most samples one series keeps; the oldest go first (counted)'),
});
export type AlertRulesConfig = z.output<typeof AlertRulesConfig>;
