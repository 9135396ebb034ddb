import { z } from 'zod';
import { duration, endpoint } from '../../../core/config/units.js';
import { serverSecurity } from '../../../core/http/security.js';

export const PrometheusConfig = z.strictObject({
  endpoint: endpoint('127.0.0.1:9464').describe(
    'host:port the scrape endpoint listens on; 127.0.0.1 unless a host is given',
  ),
  path: z
    .string()
    .regex(/^\/\S*$/, 'a path starting with "/", e.g. "/metrics"')
    .default('/metrics')
    .describe('the URL path Prometheus scrapes'),
  namespace: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and "_", not starting with a digit')
    .optional()
    .describe('a prefix for every metric name: namespace "mcp" turns "requests" into "mcp_requests_total"'),
  const_labels: z
    .record(z.string(), z.string())
    .default({})
    .describe('labels added to every series, e.g. { region: eu-west-1 }'),
  resource_to_telemetry_conversion: z
    .boolean()
    .default(false)
    .describe('true: every resource attribute becomes a label on every series (not just job and instance)'),
  metric_expiration: duration()
    .prefault('5m')
    .describe('a series not updated for this long disappears from the scrape'),
  enable_open_metrics: z
    .boolean()
    .default(true)
    .describe('serve OpenMetrics 1.0 when the scraper asks for it in Accept (Prometheus does)'),
  add_metric_suffixes: z
    .boolean()
    .default(true)
    .describe('append unit suffixes (_seconds, _bytes, _ratio) and _total to counters'),
  target_info: z
    .boolean()
    .default(true)
    .describe('expose the resource attributes as a target_info series per resource'),
  ...serverSecurity(),
});

export type PrometheusConfig = z.output<typeof PrometheusConfig>;
