import { z } from 'zod';
import type { Signal } from '../signals.js';
import { tlsSettings } from './tls.js';

export const OTLP_ENCODINGS = ['proto', 'json'] as const;
export type OtlpEncoding = (typeof OTLP_ENCODINGS)[number];

export const COMPRESSIONS = ['gzip', 'none'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** An http:// or https:// URL. */
export const httpUrl = (example: string) =>
  z.url({
    protocol: /^https?$/,
    error: `expected an http:// or https:// URL, e.g. "${example}"`,
  });

// RFC 9110 token characters: what a header name may hold.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Extra HTTP headers; every value is a secret to print-config, errors and logs (config/redact.ts). */
export const httpHeaders = () =>
  z
    .record(
      z
        .string()
        .regex(HEADER_NAME, 'a header name is letters, digits and !#$%&\'*+.^_`|~-, e.g. "authorization"'),
      z.string().regex(/^[^\r\n]*$/, 'a header value cannot hold a line break'),
    )
    .default({})
    .describe('extra HTTP headers sent with every request; values may come from ${env:VAR}');

export const compression = () =>
  z.enum(COMPRESSIONS).default('gzip').describe('gzip: compress request bodies; none: send them as they are');

/** The keys of an OTLP/HTTP client that every exporter speaking it has (`otlp`, `jaeger`). */
export const otlpHttpClientSettings = () => ({
  headers: httpHeaders(),
  compression: compression(),
  tls: tlsSettings(),
});

export const OTLP_PATHS: Readonly<Record<Signal, string>> = {
  traces: 'v1/traces',
  metrics: 'v1/metrics',
  logs: 'v1/logs',
};

/**
 * The URL a signal is sent to from a base `endpoint`, as the Collector's otlphttp exporter composes it:
 * `http://gw:4318` and `http://gw:4318/` give `http://gw:4318/v1/traces`, `https://gw/otlp` gives
 * `https://gw/otlp/v1/traces`.
 */
export function signalUrl(endpoint: string, signal: Signal): string {
  return `${endpoint.endsWith('/') ? endpoint : `${endpoint}/`}${OTLP_PATHS[signal]}`;
}

/** HTTP statuses that mean "try again later", as in the OTLP/HTTP specification. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}
