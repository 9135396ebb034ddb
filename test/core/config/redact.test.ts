import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../core/config/redact.js';

describe('redactSecrets (print-config, logs)', () => {
  it('masks secret-looking keys, every header value, and URL passwords and queries', () => {
    expect(
      redactSecrets({
        exporters: {
          elasticsearch: { endpoints: ['https://elastic:hunter2@es.internal:9200'], auth: { api_key: 'k' } },
          otlp: {
            endpoint: 'https://collector:4318?token=abc',
            headers: { 'x-honeycomb-team': 'hc_live_abc', 'X-Api-Key': 'k2' },
          },
          file: { path: '/var/log/out.jsonl' },
        },
      }),
    ).toEqual({
      exporters: {
        elasticsearch: {
          endpoints: ['https://elastic:REDACTED@es.internal:9200/'],
          auth: { api_key: '[REDACTED]' },
        },
        otlp: {
          endpoint: 'https://collector:4318/?REDACTED',
          headers: { 'x-honeycomb-team': '[REDACTED]', 'X-Api-Key': '[REDACTED]' },
        },
        file: { path: '/var/log/out.jsonl' },
      },
    });
  });
});
