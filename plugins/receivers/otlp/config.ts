import { z } from 'zod';
import { endpoint, size } from '../../../core/config/units.js';
import { serverSecurity } from '../../../core/http/security.js';

const urlPath = (signal: string) =>
  z
    .string()
    .regex(/^\/\S*$/, `a path starting with "/", e.g. "/v1/${signal}"`)
    .default(`/v1/${signal}`)
    .describe(`the URL path ${signal} are posted to`);

const HttpSettings = z
  .strictObject({
    endpoint: endpoint('127.0.0.1:4318').describe(
      'host:port OTLP/HTTP listens on; 127.0.0.1 unless a host is given (0.0.0.0 for every interface)',
    ),
    max_request_body_size: size()
      .prefault('20MiB')
      .describe('the largest request body, before and after gzip is undone; larger ones get 413'),
    max_in_flight_size: size()
      .prefault('64MiB')
      .describe('request bodies held at once (being read, unzipped, decoded or handed on); past it 429'),
    traces_url_path: urlPath('traces'),
    metrics_url_path: urlPath('metrics'),
    logs_url_path: urlPath('logs'),
    max_attribute_value_size: z
      .number()
      .int()
      .min(0)
      .default(65536)
      .describe(
        'the longest string attribute value (and log body), in characters; longer ones are cut and counted; 0: no limit',
      ),
    ...serverSecurity(),
  })
  .superRefine((http, ctx) => {
    if (http.max_in_flight_size >= http.max_request_body_size) return;
    ctx.addIssue({
      code: 'custom',
      path: ['max_in_flight_size'],
      message: 'max_in_flight_size must be at least max_request_body_size, or the largest requests never fit',
    });
  });

export const OtlpReceiverConfig = z.strictObject({
  protocols: z
    .strictObject({
      // `http:` with nothing after it (YAML null) turns it on with its defaults, as in the Collector.
      http: HttpSettings.nullable()
        .transform((http) => http ?? HttpSettings.parse({}))
        .prefault({})
        .describe('OTLP/HTTP: protobuf and JSON on /v1/traces, /v1/metrics, /v1/logs'),
      grpc: z.unknown().optional().describe('not supported: OTLP/gRPC; use http'),
    })
    .superRefine((protocols, ctx) => {
      if (protocols.grpc === undefined) return;
      ctx.addIssue({
        code: 'custom',
        path: ['grpc'],
        message:
          'OTLP/gRPC is not supported: only protocols.http is; point senders at OTLP/HTTP (port 4318, e.g. the otlphttp exporter or OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf)',
        params: { trbCode: 'TRB_CONFIG_UNSUPPORTED' },
      });
    })
    .prefault({})
    .describe('the protocols it speaks; only http'),
});

export type OtlpReceiverConfig = z.output<typeof OtlpReceiverConfig>;
export type OtlpHttpServerSettings = OtlpReceiverConfig['protocols']['http'];
