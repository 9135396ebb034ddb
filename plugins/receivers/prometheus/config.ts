import { z } from 'zod';
import { duration, interval, size } from '../../../core/config/units.js';

const UNSUPPORTED = 'TRB_CONFIG_UNSUPPORTED';

/**
 * Keys Prometheus knows that this receiver does not do: setting one fails validation naming the
 * key and what is supported, rather than a bare "unknown key".
 */
function unsupported(where: string, supported: readonly string[], keys: readonly string[]) {
  return Object.fromEntries(
    keys.map((key) => [
      key,
      z
        .unknown()
        .superRefine((_value, ctx) =>
          ctx.addIssue({
            code: 'custom',
            message: `the Prometheus ${where} key "${key}" is not supported by this receiver; supported: ${supported.join(', ')}`,
            params: { trbCode: UNSUPPORTED },
          }),
        )
        .optional()
        .meta({ deprecated: true })
        .describe(`not supported (Prometheus ${where} key)`),
    ]),
  );
}

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Target labels: Prometheus label names; `__` names are Prometheus's meta labels, which need relabeling. */
const targetLabels = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  for (const name of Object.keys(labels)) {
    const why = !LABEL_NAME.test(name)
      ? 'is not a label name: use letters, digits and "_", not starting with a digit'
      : name.startsWith('__')
        ? 'starts with "__": Prometheus meta labels need relabel_configs, which this receiver does not support'
        : undefined;
    if (why)
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `label "${name}" ${why}`,
        params: { trbCode: 'TRB_CONFIG_INVALID_VALUE' },
      });
  }
});

const StaticConfig = z.strictObject({
  targets: z
    .array(
      z.string().regex(/^(\[[^\]]+\]|[^:/\s]+):\d{1,5}$/, 'a target is host:port, e.g. "127.0.0.1:9100"'),
    )
    .describe('host:port of each endpoint to scrape'),
  labels: targetLabels.default({}).describe('labels added to every series of these targets'),
});

const BASIC_AUTH_KEYS = ['username', 'password', 'password_file'];
const BasicAuth = z
  .strictObject({
    username: z.string().default(''),
    password: z.string().optional(),
    password_file: z.string().optional().describe('read at every scrape, so a rotated password is picked up'),
    ...unsupported('basic_auth', BASIC_AUTH_KEYS, ['username_file']),
  })
  .refine((auth) => !(auth.password !== undefined && auth.password_file !== undefined), {
    message: 'set password or password_file, not both',
  });

const Authorization = z
  .strictObject({
    type: z.string().default('Bearer').describe('the scheme of the Authorization header'),
    credentials: z.string().optional(),
    credentials_file: z.string().optional().describe('read at every scrape'),
  })
  .refine((auth) => !(auth.credentials !== undefined && auth.credentials_file !== undefined), {
    message: 'set credentials or credentials_file, not both',
  });

const SCRAPE_KEYS = [
  'job_name',
  'static_configs',
  'scrape_interval',
  'scrape_timeout',
  'metrics_path',
  'scheme',
  'honor_labels',
  'basic_auth',
  'authorization',
  'body_size_limit',
  'sample_limit',
];

const ScrapeConfig = z.strictObject({
  job_name: z.string().min(1).describe('the job label of every series, and service.name of their resource'),
  static_configs: z.array(StaticConfig).default([]),
  scrape_interval: interval().optional().describe('how often each target is scraped (default: global)'),
  scrape_timeout: duration()
    .optional()
    .describe('how long a scrape may take, at most scrape_interval (default: global)'),
  metrics_path: z.string().regex(/^\//, 'a path starting with "/"').default('/metrics'),
  scheme: z.enum(['http', 'https']).default('http'),
  honor_labels: z.boolean().default(false).describe("true: the target's own job/instance/... labels win"),
  basic_auth: BasicAuth.optional(),
  authorization: Authorization.optional(),
  body_size_limit: size().prefault('64MiB').describe('a larger (uncompressed) body fails the scrape'),
  sample_limit: z.number().int().min(0).default(0).describe('more samples fail the scrape; 0: no limit'),
  ...unsupported('scrape_configs', SCRAPE_KEYS, [
    'honor_timestamps',
    'track_timestamps_staleness',
    'params',
    'relabel_configs',
    'metric_relabel_configs',
    'tls_config',
    'oauth2',
    'bearer_token',
    'bearer_token_file',
    'proxy_url',
    'no_proxy',
    'proxy_from_environment',
    'proxy_connect_header',
    'follow_redirects',
    'enable_http2',
    'enable_compression',
    'label_limit',
    'label_name_length_limit',
    'label_value_length_limit',
    'target_limit',
    'keep_dropped_targets',
    'native_histogram_bucket_limit',
    'native_histogram_min_bucket_factor',
    'scrape_classic_histograms',
    'scrape_protocols',
    'fallback_scrape_protocol',
    'metric_name_validation_scheme',
    'file_sd_configs',
    'http_sd_configs',
    'dns_sd_configs',
    'consul_sd_configs',
    'kubernetes_sd_configs',
    'ec2_sd_configs',
    'docker_sd_configs',
  ]),
});

const GLOBAL_KEYS = ['scrape_interval', 'scrape_timeout'];
const Global = z.strictObject({
  scrape_interval: interval().prefault('1m'),
  scrape_timeout: duration().prefault('10s'),
  ...unsupported('global', GLOBAL_KEYS, [
    'evaluation_interval',
    'external_labels',
    'query_log_file',
    'body_size_limit',
    'sample_limit',
    'label_limit',
    'target_limit',
    'scrape_protocols',
  ]),
});

const PrometheusFile = z.strictObject({
  global: Global.prefault({}),
  scrape_configs: z.array(ScrapeConfig).min(1, 'list at least one scrape config'),
  ...unsupported(
    'configuration',
    ['global', 'scrape_configs'],
    [
      'rule_files',
      'scrape_config_files',
      'alerting',
      'remote_write',
      'remote_read',
      'storage',
      'tracing',
      'runtime',
    ],
  ),
});

export const PrometheusReceiverConfig = z
  .strictObject({
    config: PrometheusFile.describe("a subset of Prometheus's configuration file: global and scrape_configs"),
  })
  .superRefine((value, ctx) => {
    const seen = new Set<string>();
    value.config.scrape_configs.forEach((job, i) => {
      const path = ['config', 'scrape_configs', i];
      if (seen.has(job.job_name))
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'job_name'],
          message: `job_name "${job.job_name}" is used twice; each scrape config needs its own`,
          params: { trbCode: 'TRB_CONFIG_DUPLICATE' },
        });
      seen.add(job.job_name);
      if (job.basic_auth && job.authorization)
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'authorization'],
          message: 'set basic_auth or authorization, not both (a scrape sends one Authorization header)',
          params: { trbCode: 'TRB_CONFIG_INVALID_VALUE' },
        });
      const { interval, timeout } = timing(job, value.config.global);
      if (timeout > interval)
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'scrape_timeout'],
          message: `scrape_timeout (${timeout} ms) is longer than scrape_interval (${interval} ms); it must be at most that`,
          params: { trbCode: 'TRB_CONFIG_INVALID_VALUE' },
        });
    });
  });

export type PrometheusReceiverConfig = z.output<typeof PrometheusReceiverConfig>;
export type ScrapeConfig = z.output<typeof ScrapeConfig>;
type GlobalConfig = z.output<typeof Global>;

/** A job's interval and timeout in ms, as Prometheus works them out from the job's and global values. */
export function timing(job: ScrapeConfig, global: GlobalConfig): { interval: number; timeout: number } {
  const interval = job.scrape_interval ?? global.scrape_interval;
  // Prometheus: a job without its own timeout takes the global one, cut to its interval.
  const timeout = job.scrape_timeout ?? Math.min(global.scrape_timeout, interval);
  return { interval, timeout };
}
