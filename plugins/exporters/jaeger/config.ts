import { z } from 'zod';
import { exporterConfig } from '../../../core/exporterhelper/index.js';
import { httpUrl, otlpHttpClientSettings } from '../../../core/otlp/index.js';

export const DEFAULT_ENDPOINT = 'http://localhost:4318';

const REMOVED = 'TRB_CONFIG_REMOVED';
const USE_OTLP =
  'Jaeger Thrift was removed (Jaeger v1 is end of life and its OpenTelemetry exporter deprecated); ' +
  `Jaeger v2 and v1.35+ take OTLP: remove it and set endpoint to Jaeger's OTLP/HTTP port, e.g. ${DEFAULT_ENDPOINT}`;

/** A key of the removed Thrift protocols: setting it says what replaced it. */
const thriftKey = () =>
  z
    .unknown()
    .superRefine((_value, ctx) =>
      ctx.addIssue({ code: 'custom', message: USE_OTLP, params: { trbCode: REMOVED } }),
    )
    .optional()
    .meta({ deprecated: true })
    .describe('removed with Jaeger Thrift: use OTLP (endpoint)');

export const JaegerConfig = exporterConfig({
  protocol: z
    .string()
    .superRefine((value, ctx) => {
      if (value === 'otlp-http') return;
      const thrift = value === 'thrift-http' || value === 'thrift-udp';
      ctx.addIssue({
        code: 'custom',
        message: thrift
          ? USE_OTLP
          : `invalid value ${JSON.stringify(value)}: the only protocol is "otlp-http"`,
        params: { trbCode: thrift ? REMOVED : 'TRB_CONFIG_INVALID_VALUE' },
      });
    })
    .default('otlp-http')
    .meta({ enum: ['otlp-http'] })
    .describe('otlp-http: OTLP/HTTP protobuf, the only one (Jaeger v2, and v1 from 1.35)'),
  endpoint: httpUrl(DEFAULT_ENDPOINT)
    .default(DEFAULT_ENDPOINT)
    .describe("the base URL of Jaeger's OTLP/HTTP receiver: /v1/traces is appended"),
  ...otlpHttpClientSettings(),
  username: thriftKey(),
  password: thriftKey(),
  agent_host: thriftKey(),
  agent_port: thriftKey(),
  max_packet_size: thriftKey(),
});

export type JaegerConfig = z.output<typeof JaegerConfig>;
