import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../core/telemetry/logger.js';

describe("the engine's logger", () => {
  it("masks the config's secrets in fields, messages and errors, with the rule print-config uses", () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) }, ['271828']);
    const child = logger.child({ component: 'otlp' });
    child.warn(
      {
        headers: { 'x-api-key': 'hc_live_abc', accept: 'text/plain' },
        auth: { password: 'hunter2', username: 'elastic' },
        url: 'https://elastic:pa55word@es.internal:9200/_bulk?api_key=k3y',
        items: 3,
      },
      'send failed: http://127.0.0.1:4318/v1/metrics answered HTTP 401: bad key 271828',
    );
    child.error({ err: new Error('upstream said: key 271828 is revoked') }, 'start failed');
    const text = lines.join('');
    for (const secret of ['hc_live_abc', 'text/plain', 'hunter2', 'pa55word', 'k3y', '271828'])
      expect(text).not.toContain(secret);
    const [warning, failure] = lines.map((l) => JSON.parse(l));
    expect(warning).toMatchObject({
      level: 'warn',
      component: 'otlp',
      headers: { 'x-api-key': '[REDACTED]', accept: '[REDACTED]' },
      auth: { password: '[REDACTED]', username: 'elastic' },
      url: 'https://elastic:REDACTED@es.internal:9200/_bulk?REDACTED',
      items: 3,
      message: 'send failed: http://127.0.0.1:4318/v1/metrics answered HTTP 401: bad key [REDACTED]',
    });
    expect(failure.err).toMatchObject({ type: 'Error', message: 'upstream said: key [REDACTED] is revoked' });
    expect(failure.err.stack).toContain('upstream said: key [REDACTED] is revoked');
  });
});
