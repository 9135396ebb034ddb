import { z } from 'zod';
import { exporterConfig } from '../../../core/exporterhelper/index.js';
import { COMPRESSIONS, httpHeaders, httpUrl } from '../../../core/otlp/index.js';

export const JAEGER_PROTOCOLS = ['otlp-http', 'thrift-http', 'thrift-udp'] as const;
export type JaegerProtocol = (typeof JAEGER_PROTOCOLS)[number];

export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';
export const DEFAULT_THRIFT_ENDPOINT = 'http://localhost:14268/api/traces';
export const DEFAULT_AGENT_HOST = 'localhost';
export const DEFAULT_AGENT_PORT = 6832;
export const DEFAULT_MAX_PACKET_SIZE = 65000;

/** Keys that only one protocol reads, and that protocol: setting one for another is a mistake worth an error. */
const ONLY_FOR: Record<string, JaegerProtocol[]> = {
  endpoint: ['otlp-http', 'thrift-http'],
  headers: ['otlp-http'],
  compression: ['otlp-http'],
  username: ['thrift-http'],
  password: ['thrift-http'],
  agent_host: ['thrift-udp'],
  agent_port: ['thrift-udp'],
  max_packet_size: ['thrift-udp'],
};

export const JaegerConfig = exporterConfig({
  protocol: z
    .enum(JAEGER_PROTOCOLS)
    .default('otlp-http')
    .describe(
      'otlp-http: OTLP/HTTP protobuf (Jaeger >= 1.35); thrift-http: Thrift to a Jaeger v1 collector; thrift-udp: Thrift to a Jaeger v1 agent',
    ),
  endpoint: httpUrl(DEFAULT_OTLP_ENDPOINT)
    .optional()
    .describe(
      `otlp-http: the base URL, /v1/traces is appended (default ${DEFAULT_OTLP_ENDPOINT}); thrift-http: the collector's URL (default ${DEFAULT_THRIFT_ENDPOINT})`,
    ),
  headers: httpHeaders().describe('otlp-http: extra HTTP headers; values may come from ${env:VAR}'),
  compression: z.enum(COMPRESSIONS).optional().describe('otlp-http: gzip (default) or none'),
  username: z.string().optional().describe('thrift-http: HTTP basic auth user (with password)'),
  password: z.string().optional().describe('thrift-http: HTTP basic auth password; use ${env:VAR}'),
  agent_host: z
    .string()
    .min(1)
    .optional()
    .describe(`thrift-udp: the agent's host (default ${DEFAULT_AGENT_HOST})`),
  agent_port: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .optional()
    .describe(`thrift-udp: the agent's binary Thrift port (default ${DEFAULT_AGENT_PORT})`),
  max_packet_size: z
    .number()
    .int()
    .min(1024)
    .max(65000)
    .optional()
    .describe(`thrift-udp: the largest UDP packet sent (default ${DEFAULT_MAX_PACKET_SIZE})`),
}).superRefine((config, ctx) => {
  for (const [key, protocols] of Object.entries(ONLY_FOR)) {
    const value = config[key as keyof typeof config];
    const set = key === 'headers' ? Object.keys(value as object).length > 0 : value !== undefined;
    if (set && !protocols.includes(config.protocol)) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `${key} applies to protocol ${protocols.join(' or ')}, not ${config.protocol}`,
      });
    }
  }
  if ((config.username === undefined) !== (config.password === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: [config.username === undefined ? 'username' : 'password'],
      message: 'username and password go together: set both or neither',
    });
  }
});

export type JaegerConfig = z.output<typeof JaegerConfig>;
