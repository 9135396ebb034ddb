// The httpcheck receiver against real loopback servers, through a real pipeline into a sink.
import { join } from 'node:path';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline } from '../../../../core/testing/harness.js';
import httpcheck from '../../../../plugins/receivers/httpcheck/index.js';
import { CERT_FILE, pointsOf, startTargets, type Targets, TLS_DIR } from './targets.js';

let targets: Targets;
beforeAll(async () => {
  targets = await startTargets();
});
afterAll(() => targets.close());

const pipeline = (receiver: string) => `
receivers:
  httpcheck: ${receiver}
exporters: { sink: {} }
service:
  pipelines:
    metrics: { receivers: [httpcheck], exporters: [sink] }
`;

/** Runs the receiver until its first round of checks reached the sink; those metrics. */
async function checkOnce(targetsYaml: string): Promise<ResourceMetrics[]> {
  const run = await startPipeline(pipeline(`{ collection_interval: 1h, targets: ${targetsYaml} }`), {
    plugins: [httpcheck],
  });
  try {
    for (let i = 0; i < 1000 && run.recorded.items('metrics').length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    return run.recorded.items('metrics');
  } finally {
    await run.shutdown();
  }
}

const value = (metrics: ResourceMetrics[], name: string, url: string) =>
  pointsOf(metrics, name).find((p) => p.attributes['http.url'] === url)?.value;

describe('httpcheck receiver', () => {
  it("emits the Collector's httpcheck.status, duration and phases for a 200, and success 1", async () => {
    const url = `${targets.http}/ok`;
    const metrics = await checkOnce(`[{ endpoint: "${url}" }]`);
    expect(pointsOf(metrics, 'httpcheck.status')).toEqual(
      ['1xx', '2xx', '3xx', '4xx', '5xx'].map((statusClass) => ({
        value: statusClass === '2xx' ? 1 : 0,
        attributes: {
          'http.url': url,
          'http.method': 'GET',
          'http.status_class': statusClass,
          ...(statusClass === '2xx' ? { 'http.status_code': 200 } : {}),
        },
      })),
    );
    expect(value(metrics, 'httpcheck.success', url)).toBe(1);
    expect(value(metrics, 'httpcheck.duration', url)).toBeGreaterThanOrEqual(0);
    expect(pointsOf(metrics, 'httpcheck.error')).toEqual([]);
    // An IP address is not looked up, and http has no TLS handshake.
    for (const name of [
      'httpcheck.client.connection.duration',
      'httpcheck.client.request.duration',
      'httpcheck.response.duration',
    ])
      expect(value(metrics, name, url), name).toBeGreaterThanOrEqual(0);
    expect(
      pointsOf(metrics, 'httpcheck.client.connection.duration')[0]?.attributes['network.transport'],
    ).toBe('tcp');
    expect(pointsOf(metrics, 'httpcheck.dns.lookup.duration')).toEqual([]);
    expect(pointsOf(metrics, 'httpcheck.tls.handshake.duration')).toEqual([]);
    const [rm] = metrics;
    expect(
      rm?.scopeMetrics[0]?.metrics.find((m) => m.descriptor.name === 'httpcheck.duration')?.descriptor.unit,
    ).toBe('ms');
  });

  it("keeps a URL's password and query out of its labels, and still checks with them", async () => {
    const url = `${targets.http.replace('http://', 'http://probe:s3cr3t@')}/ok?token=abc123`;
    const metrics = await checkOnce(`[{ endpoint: "${url}" }]`);
    const labels = pointsOf(metrics, 'httpcheck.success').map((p) => p.attributes['http.url']);
    expect(labels).toEqual([`${targets.http.replace('http://', 'http://probe:REDACTED@')}/ok?REDACTED`]);
    expect(pointsOf(metrics, 'httpcheck.success').map((p) => p.value)).toEqual([1]);
    expect(JSON.stringify(metrics)).not.toMatch(/s3cr3t|abc123/);
  });

  it('counts a 500 as down by default, and as up when status_codes expects it', async () => {
    const url = `${targets.http}/error`;
    const metrics = await checkOnce(
      `[{ endpoint: "${url}" }, { endpoint: "${url}", method: POST, status_codes: [500, "2xx"] }]`,
    );
    expect(pointsOf(metrics, 'httpcheck.success').map((p) => p.value)).toEqual([0, 1]);
    expect(pointsOf(metrics, 'httpcheck.status').filter((p) => p.value === 1)).toEqual([
      {
        value: 1,
        attributes: {
          'http.url': url,
          'http.method': 'GET',
          'http.status_class': '5xx',
          'http.status_code': 500,
        },
      },
      {
        value: 1,
        attributes: {
          'http.url': url,
          'http.method': 'POST',
          'http.status_class': '5xx',
          'http.status_code': 500,
        },
      },
    ]);
    expect(pointsOf(metrics, 'httpcheck.error')).toEqual([]);
  });

  it('records an error and no status code for a refused port and for a target past its timeout', async () => {
    const hang = `${targets.http}/hang`;
    const metrics = await checkOnce(
      `[{ endpoint: "${targets.refused}" }, { endpoint: "${hang}", timeout: 200ms }]`,
    );
    expect(pointsOf(metrics, 'httpcheck.error')).toEqual([
      {
        value: 1,
        attributes: { 'http.url': targets.refused, 'error.message': expect.stringContaining('ECONNREFUSED') },
      },
      {
        value: 1,
        attributes: { 'http.url': hang, 'error.message': 'timeout: no complete answer within 200 ms' },
      },
    ]);
    expect(pointsOf(metrics, 'httpcheck.success').map((p) => p.value)).toEqual([0, 0]);
    const status = pointsOf(metrics, 'httpcheck.status');
    expect(status).toHaveLength(10);
    expect(status.every((p) => p.value === 0 && !('http.status_code' in p.attributes))).toBe(true);
  });

  it('fails on a body that does not match body_regex, with the status code kept', async () => {
    const metrics = await checkOnce(
      `[{ endpoint: "${targets.http}/unhealthy", body_regex: "healthy$" }, { endpoint: "${targets.http}/ok", body_regex: "healthy$" }]`,
    );
    expect(pointsOf(metrics, 'httpcheck.success').map((p) => p.value)).toEqual([0, 1]);
    expect(
      pointsOf(metrics, 'httpcheck.status')
        .filter((p) => p.value === 1)
        .map((p) => p.attributes['http.status_code']),
    ).toEqual([200, 200]);
  });

  it('matches body_regex against the UTF-8 text of the first max_body_size bytes', async () => {
    const { http } = targets;
    const metrics = await checkOnce(
      `[{ endpoint: "${http}/utf8", body_regex: "sain ✓$" }, { endpoint: "${http}/long", body_regex: "END$" }, { endpoint: "${http}/long?cut", body_regex: "END$", max_body_size: 4KiB }]`,
    );
    expect(pointsOf(metrics, 'httpcheck.success').map((p) => p.value)).toEqual([1, 1, 0]);
  });

  it('fails a self-signed server it does not trust; trusts it through ca_file or insecure_skip_verify', async () => {
    const url = `${targets.https}/ok`;
    const metrics = await checkOnce(
      `[{ endpoint: "${url}" }, { endpoint: "${url}", method: HEAD, tls: { ca_file: ${CERT_FILE} } }, { endpoint: "${url}", method: PUT, tls: { insecure_skip_verify: true } }]`,
    );
    expect(pointsOf(metrics, 'httpcheck.success').map((p) => p.value)).toEqual([0, 1, 1]);
    expect(pointsOf(metrics, 'httpcheck.error')).toEqual([
      // Node's own words: Node 24 adds advice after the reason.
      {
        value: 1,
        attributes: { 'http.url': url, 'error.message': expect.stringMatching(/^self-signed certificate\b/) },
      },
    ]);
    const certificates = pointsOf(metrics, 'httpcheck.tls.cert_remaining');
    expect(certificates).toHaveLength(2);
    // The fixture is valid until 2126.
    expect(certificates[0]?.value).toBeGreaterThan(50 * 365 * 86400);
    expect(certificates[0]?.attributes).toEqual({
      'http.url': url,
      'http.tls.issuer': 'CN=localhost',
      'http.tls.cn': 'localhost',
      'http.tls.san': ['localhost', '127.0.0.1'],
    });
    expect(pointsOf(metrics, 'httpcheck.tls.handshake.duration')).toHaveLength(2);
  });

  it('times the DNS lookup of a host name', async () => {
    const url = `${targets.https.replace('127.0.0.1', 'localhost')}/ok`;
    const metrics = await checkOnce(`[{ endpoint: "${url}", tls: { ca_file: ${CERT_FILE} } }]`);
    expect(value(metrics, 'httpcheck.success', url)).toBe(1);
    expect(value(metrics, 'httpcheck.dns.lookup.duration', url)).toBeGreaterThanOrEqual(0);
  });

  it('abandons checks in flight at shutdown and sends nothing more', async () => {
    const run = await startPipeline(
      pipeline(`{ collection_interval: 1h, targets: [{ endpoint: "${targets.http}/hang", timeout: 1h }] }`),
      { plugins: [httpcheck] },
    );
    // The first round started with the receiver; its check waits for an answer that never comes.
    await run.shutdown();
    // Stopped, not abandoned at the engine's shutdown deadline.
    expect(run.engine.status().get('httpcheck')?.status).toBe('stopped');
    expect(run.recorded.items('metrics')).toEqual([]);
  });

  it('refuses to start with TRB_RECEIVER_HTTPCHECK_TLS when the ca_file cannot be read', async () => {
    const missing = join(TLS_DIR, 'missing-ca.crt');
    await expect(
      startPipeline(
        pipeline(`{ targets: [{ endpoint: "${targets.https}/ok", tls: { ca_file: ${missing} } }] }`),
        {
          plugins: [httpcheck],
        },
      ),
    ).rejects.toMatchObject({
      code: 'TRB_RECEIVER_HTTPCHECK_TLS',
      message: expect.stringContaining(`cannot read tls.ca_file ${missing}: ENOENT`),
    });
  });

  it('refuses a timeout longer than collection_interval: checks of a target would overlap', async () => {
    const started = startPipeline(
      pipeline(`{ collection_interval: 10s, targets: [{ endpoint: "http://127.0.0.1:1/", timeout: 30s }] }`),
      { plugins: [httpcheck] },
    );
    await expect(started).rejects.toThrow(
      /pipeline\.yaml:3:\d+: TRB_CONFIG_INVALID_VALUE receivers\.httpcheck\.targets\[0\]\.timeout: a timeout longer than collection_interval \(10000 ms\) would overlap the next check of this target/,
    );
  });

  it('names each mistake in a target: status class or code, regex, URL', async () => {
    const started = startPipeline(
      pipeline(`
    collection_interval: 10s
    targets:
      - { endpoint: "http://127.0.0.1:1/", status_codes: ["6xx", 99] }
      - { endpoint: "http://127.0.0.1:1/", body_regex: "(unclosed" }
      - { endpoint: "ftp://127.0.0.1/" }`),
      { plugins: [httpcheck] },
    );
    const error = await started.then(
      () => new Error('started'),
      (err: Error) => err,
    );
    const lines = error.message.split('\n');
    expect(lines).toEqual([
      // one line each, located, with the code
      expect.stringMatching(
        /TRB_CONFIG_INVALID_VALUE receivers\.httpcheck\.targets\[0\]\.status_codes\[0\]: a status class is "1xx" to "5xx"/,
      ),
      expect.stringMatching(
        /TRB_CONFIG_INVALID_VALUE receivers\.httpcheck\.targets\[0\]\.status_codes\[1\]: a status code is 100 to 599/,
      ),
      expect.stringMatching(
        /TRB_CONFIG_INVALID_VALUE receivers\.httpcheck\.targets\[1\]\.body_regex: Invalid regular expression: \/\(unclosed\/: Unterminated group/,
      ),
      expect.stringMatching(
        /receivers\.httpcheck\.targets\[2\]\.endpoint: expected an http:\/\/ or https:\/\/ URL/,
      ),
    ]);
  });
});
