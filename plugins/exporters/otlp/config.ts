import { z } from 'zod';
import { exporterConfig } from '../../../core/exporterhelper/index.js';
import { httpUrl, OTLP_ENCODINGS, otlpHttpClientSettings } from '../../../core/otlp/index.js';
import type { Signal } from '../../../core/signals.js';

const signalEndpoint = (signal: Signal) =>
  httpUrl(`https://gateway:4318/v1/${signal}`)
    .optional()
    .describe(`the full URL for ${signal}, used as it is; instead of endpoint + /v1/${signal}`);

export const OtlpConfig = exporterConfig({
  endpoint: httpUrl('http://localhost:4318')
    .default('http://localhost:4318')
    .describe('the base URL: /v1/traces, /v1/metrics and /v1/logs are appended'),
  traces_endpoint: signalEndpoint('traces'),
  metrics_endpoint: signalEndpoint('metrics'),
  logs_endpoint: signalEndpoint('logs'),
  encoding: z
    .enum(OTLP_ENCODINGS)
    .default('proto')
    .describe('proto: binary protobuf (application/x-protobuf); json: OTLP/JSON (application/json)'),
  ...otlpHttpClientSettings(),
});

export type OtlpConfig = z.output<typeof OtlpConfig>;
