import { z } from 'zod';
import { duration, size } from '../../../core/config/units.js';
import { exporterConfig } from '../../../core/exporterhelper/index.js';
import { IndexName } from './index-name.js';

/** The index written when neither `index` nor `data_stream` is set: one per day, as the guide's fluentd. */
export const DEFAULT_INDEX = 'mcp-server-%{+yyyy.MM.dd}';
export const DEFAULT_DEAD_LETTER_PATH = './tributary-elasticsearch-dead-letter.jsonl';

/**
 * A credential from YAML, usually `${env:...}` (which keeps its text: `0123` stays `0123`). A bare
 * YAML number (`password: 123456`) is read as text. Empty means unset.
 */
const secret = () => z.union([z.string(), z.number()]).transform(String);

const auth = z
  .strictObject({
    api_key: secret().optional().describe('an Elasticsearch API key (the base64 "encoded" value)'),
    username: secret().optional().describe('basic authentication user'),
    password: secret().optional().describe('basic authentication password'),
  })
  .superRefine((a, ctx) => {
    if (a.api_key && a.username) {
      ctx.addIssue({
        code: 'custom',
        message: 'use api_key or username/password, not both',
        path: ['api_key'],
      });
    }
    if (a.password && !a.username) {
      ctx.addIssue({ code: 'custom', message: 'password needs a username', path: ['username'] });
    }
  })
  .describe('credentials; empty values mean no authentication');

const tls = z
  .strictObject({
    ca_file: z
      .string()
      .min(1)
      .optional()
      .describe('PEM file of the CA that signed the server certificate (for a private CA)'),
    insecure_skip_verify: z
      .boolean()
      .default(false)
      .describe('do not verify the server certificate (testing only)'),
  })
  .describe('TLS settings for https endpoints');

const flush = z
  .strictObject({
    bytes: size()
      .refine((bytes) => bytes > 0, 'flush.bytes must be greater than 0')
      .prefault('5MiB')
      .describe('send a bulk request once its body reaches this size'),
    interval: duration()
      .prefault('1s')
      .describe('send a bulk request once its first document waited this long; 0 sends each batch at once'),
  })
  .describe('when bulk requests are sent');

// Data stream names are `<type>-<dataset>-<namespace>`: the parts cannot hold '-' themselves.
const dataStreamPart = (what: string) =>
  z
    .string()
    .min(1)
    .max(100)
    .regex(/^[a-z0-9_.]+$/, `${what} may hold lower case letters, digits, "_" and "." only (no "-")`);

const dataStream = z
  .strictObject({
    type: z
      .enum(['logs', 'traces'])
      .optional()
      .describe(
        'logs or traces; by default the signal of the pipeline (logs-... for logs, traces-... for spans)',
      ),
    dataset: dataStreamPart('dataset').default('generic').describe('what the data is, e.g. mcp_server'),
    namespace: dataStreamPart('namespace').default('default').describe('a grouping such as an environment'),
  })
  .describe('write to the data stream <type>-<dataset>-<namespace> with op_type create, instead of index');

export const ElasticsearchConfig = exporterConfig({
  endpoints: z
    .array(z.url({ protocol: /^https?$/, error: 'an endpoint is an http:// or https:// URL' }))
    .min(1)
    .default(['http://localhost:9200'])
    .describe('Elasticsearch nodes; requests go round robin'),
  index: z
    .string()
    .superRefine((template, ctx) => {
      const parsed = IndexName.parse(template);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
    })
    .optional()
    .describe(`the index to write to, with date patterns like %{+yyyy.MM.dd}; default ${DEFAULT_INDEX}`),
  data_stream: dataStream.optional(),
  mapping: z
    .enum(['ecs', 'raw'])
    .default('ecs')
    .describe(
      'ecs: Elastic Common Schema fields; raw: the JSON line layout of the stdout and file exporters',
    ),
  auth: auth.optional(),
  tls: tls.prefault({}),
  flush: flush.prefault({}),
  dead_letter: z
    .strictObject({
      path: z
        .string()
        .min(1)
        .default(DEFAULT_DEAD_LETTER_PATH)
        .describe('the JSON lines file for documents Elasticsearch rejected'),
    })
    .prefault({})
    .describe('where rejected documents go, with the reason'),
}).superRefine((config, ctx) => {
  if (config.index !== undefined && config.data_stream !== undefined) {
    ctx.addIssue({
      code: 'custom',
      message: 'set index or data_stream, not both: a data stream name is <type>-<dataset>-<namespace>',
      path: ['data_stream'],
    });
  }
  // A bulk request that waits for flush.interval must still be sent within the attempt's timeout.
  if (config.timeout > 0 && config.flush.interval >= config.timeout) {
    ctx.addIssue({
      code: 'custom',
      message: 'flush.interval must be shorter than timeout, or every send would time out waiting',
      path: ['flush', 'interval'],
    });
  }
});

export type ElasticsearchConfig = z.output<typeof ElasticsearchConfig>;
