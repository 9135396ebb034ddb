import { describe, expect, it } from 'vitest';
import { isSecretPath, redactSecrets, redactText, secretsOf } from '../../../core/config/redact.js';

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

  it('a component id is a name, not a key: only its secret keys are masked', () => {
    expect(isSecretPath(['exporters', 'token_exporter', 'endpoint'])).toBe(false);
    expect(isSecretPath(['exporters', 'token_exporter', 'api_token'])).toBe(true);
    expect(isSecretPath(['exporters', 'otlp', 'headers', 'x-tenant'])).toBe(true);
    expect(redactSecrets({ exporters: { token_exporter: { endpoint: 'e', api_token: 't' } } })).toEqual({
      exporters: { token_exporter: { endpoint: 'e', api_token: '[REDACTED]' } },
    });
  });

  it("finds a config's secret values and masks them in free text, with URLs' credentials", () => {
    const secrets = secretsOf({
      exporters: {
        otlp: { headers: { 'x-api-key': 271828 }, endpoint: 'http://h:4318' },
        jaeger: { password: 'pw' },
      },
    });
    // Two characters would mask every "pw" in every log line: too short to hide.
    expect(secrets).toEqual(['271828']);
    expect(
      redactText(
        'key 271828 refused by https://bot:tok3n@git.example/x?sig=abc and https://t0ken@h/',
        secrets,
      ),
    ).toBe('key [REDACTED] refused by https://bot:REDACTED@git.example/x?REDACTED and https://REDACTED@h/');
  });
});
