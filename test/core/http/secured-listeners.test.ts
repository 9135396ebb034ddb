// Every listener of the engine (otlp receiver, prometheus exporter, health_check, admin) served over
// TLS and behind a bearer token or basic auth, in one real engine: without credentials 401 with the
// challenge, with them the page; a bad certificate file stops the start, located; secrets stay out of
// what print-config shows.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../core/config/load.js';
import { redactSecrets } from '../../../core/config/redact.js';
import { EngineStatus } from '../../../core/status.js';
import { freePort, type RunningPipeline, startPipeline } from '../../../core/testing/index.js';
import { builtins } from '../../../plugins/index.js';

const TLS = join(import.meta.dirname, '../../fixtures/tls');
const CA = readFileSync(join(TLS, 'localhost.crt'));
const BEARER = 'Bearer s3cret-token-271828';
const BASIC = `Basic ${Buffer.from('prom:hunter2-hunter2').toString('base64')}`;

let pipeline: RunningPipeline | undefined;
afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = undefined;
});

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; challenge?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', servername: 'localhost', port, path, method, headers, ca: CA },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, challenge: res.headers['www-authenticate'], body }),
        );
      },
    );
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

const tls = `tls: { cert_file: "${TLS}/localhost.crt", key_file: "${TLS}/localhost.key" }`;

async function secured() {
  const [otlp, prom, health, admin] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const yaml = `extensions:
  health_check: { endpoint: "127.0.0.1:${health}", ${tls}, auth: { bearer_token: "s3cret-token-271828" } }
  admin: { endpoint: "127.0.0.1:${admin}", ${tls}, auth: { basic: { username: prom, password: hunter2-hunter2 } } }
receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:${otlp}", ${tls}, auth: { bearer_token: "s3cret-token-271828" } } } }
exporters:
  prometheus: { endpoint: "127.0.0.1:${prom}", ${tls}, auth: { basic: { username: prom, password: hunter2-hunter2 } } }
service:
  extensions: [health_check, admin]
  pipelines: { metrics: { receivers: [otlp], exporters: [prometheus] } }
`;
  return { yaml, ports: { otlp, prom, health, admin } };
}

describe('listeners with tls and auth', () => {
  it('answer 401 with the challenge without credentials, and serve with them, over HTTPS', async () => {
    const { yaml, ports } = await secured();
    pipeline = await startPipeline(yaml, { plugins: builtins });
    const cases = [
      { port: ports.health, path: '/health', auth: BEARER, challenge: 'Bearer realm="tributary"' },
      { port: ports.admin, path: '/', auth: BASIC, challenge: 'Basic realm="tributary"', host: 'localhost' },
      { port: ports.prom, path: '/metrics', auth: BASIC, challenge: 'Basic realm="tributary"' },
      {
        port: ports.otlp,
        path: '/v1/metrics',
        auth: BEARER,
        challenge: 'Bearer realm="tributary"',
        method: 'POST',
        type: 'application/json',
      },
    ];
    for (const c of cases) {
      const base = { ...(c.type ? { 'content-type': c.type } : {}), host: `localhost:${c.port}` };
      const without = await get(c.port, c.path, base, c.method);
      expect(without, c.path).toMatchObject({ status: 401, challenge: c.challenge });
      const wrong = await get(c.port, c.path, { ...base, authorization: `${c.auth}x` }, c.method);
      expect(wrong.status, c.path).toBe(401);
      const empty = await get(c.port, c.path, { ...base, authorization: '' }, c.method);
      expect(empty.status, c.path).toBe(401);
      const [scheme, credentials] = c.auth.split(' ') as [string, string];
      const otherScheme = scheme === 'Bearer' ? 'Basic' : 'Bearer';
      const mixed = await get(
        c.port,
        c.path,
        { ...base, authorization: `${otherScheme} ${credentials}` },
        c.method,
      );
      expect(mixed.status, c.path).toBe(401);
      const right = await get(c.port, c.path, { ...base, authorization: c.auth }, c.method);
      expect(right.status, `${c.path}: ${right.body}`).toBe(200);
      // The scheme is case-insensitive (RFC 9110): clients that send `bearer` are let in too.
      const lower = `${scheme.toLowerCase()} ${credentials}`;
      const lowerCase = await get(c.port, c.path, { ...base, authorization: lower }, c.method);
      expect(lowerCase.status, `${c.path}: ${lowerCase.body}`).toBe(200);
    }
    // The ready line names them as https.
    const endpoints = pipeline.engine.registry.container.resolve(EngineStatus).endpoints();
    expect(Object.values(endpoints).sort()).toEqual(
      [
        `https://127.0.0.1:${ports.admin}/`,
        `https://127.0.0.1:${ports.health}/health`,
        `https://127.0.0.1:${ports.prom}/metrics`,
        `https://127.0.0.1:${ports.otlp}`,
      ].sort(),
    );
  });

  it('refuses to start on a certificate file it cannot read, saying which key', async () => {
    const port = await freePort();
    await expect(
      startPipeline(
        `extensions: { health_check: { endpoint: "127.0.0.1:${port}", tls: { cert_file: /no/such.crt, key_file: "${TLS}/localhost.key" } } }
receivers: { push: }
exporters: { sink: }
service: { extensions: [health_check], pipelines: { traces: { receivers: [push], exporters: [sink] } } }
`,
        { plugins: builtins },
      ),
    ).rejects.toMatchObject({
      code: 'TRB_EXTENSION_TLS',
      message: expect.stringContaining(
        'cannot read extensions.health_check.tls.cert_file /no/such.crt: ENOENT',
      ),
    });
  });

  it('rejects auth with both or neither of bearer_token and basic, and keeps its secrets out of print-config', async () => {
    const { yaml } = await secured();
    const both = yaml.replace(
      'auth: { bearer_token: "s3cret-token-271828" } }\n  admin',
      'auth: { bearer_token: "s3cret-token-271828", basic: { username: a, password: b } } }\n  admin',
    );
    await expect(startPipeline(both, { plugins: builtins })).rejects.toThrow(
      /extensions\.health_check\.auth: set exactly one of bearer_token or basic/,
    );
    const shown = JSON.stringify(redactSecrets(parseConfigText(yaml, '/c.yaml').value));
    expect(shown).not.toContain('s3cret-token-271828');
    expect(shown).not.toContain('hunter2-hunter2');
  });
});
