// Done when (issue 8): prometheus-blackbox-exporter (Debian) and the httpcheck receiver check the same
// local targets (200, 500, one past the timeout, a refused port, a self-signed TLS server, a body-regex
// miss, and TLS trusted through a CA file or not verified); success and status codes agree for every
// target. Ours are read from the prometheus exporter's /metrics, as Prometheus would scrape them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type RunningPipeline, startPipeline } from '../../core/testing/index.js';
import prometheus from '../../plugins/exporters/prometheus/index.js';
import httpcheck from '../../plugins/receivers/httpcheck/index.js';
import { CERT_FILE, startTargets, type Targets } from '../plugins/receivers/httpcheck/targets.js';
import { type Daemon, freePort, promtool, startDaemon, stopDaemon, until } from './prometheus-helpers.js';

/** One target: its URL, the blackbox module and our target keys that expect the same, and the outcome. */
interface Case {
  name: string;
  url: string;
  module: string;
  ours: Record<string, unknown>;
  success: number;
  status: number;
}

const TIMEOUT = '1s';
const MODULES = {
  http_2xx: { prober: 'http', timeout: '5s', http: { preferred_ip_protocol: 'ip4' } },
  http_500: {
    prober: 'http',
    timeout: '5s',
    http: { preferred_ip_protocol: 'ip4', valid_status_codes: [500] },
  },
  http_timeout: { prober: 'http', timeout: TIMEOUT, http: { preferred_ip_protocol: 'ip4' } },
  http_healthy: {
    prober: 'http',
    timeout: '5s',
    http: { preferred_ip_protocol: 'ip4', fail_if_body_not_matches_regexp: ['healthy$'] },
  },
  https_verify: {
    prober: 'http',
    timeout: '5s',
    http: { preferred_ip_protocol: 'ip4', tls_config: { insecure_skip_verify: false } },
  },
  https_ca_file: {
    prober: 'http',
    timeout: '5s',
    http: { preferred_ip_protocol: 'ip4', tls_config: { ca_file: CERT_FILE } },
  },
  https_insecure: {
    prober: 'http',
    timeout: '5s',
    http: { preferred_ip_protocol: 'ip4', tls_config: { insecure_skip_verify: true } },
  },
};

const EXAMPLES = join(import.meta.dirname, '../../examples/prometheus');

let targets: Targets;
let dir: string;
let blackbox: Daemon | undefined;
let blackboxUrl: string;
let pipeline: RunningPipeline | undefined;
let metricsUrl: string;
let cases: Case[];

beforeAll(async () => {
  targets = await startTargets();
  const { http, https, refused } = targets;
  const tls = (keys: Record<string, unknown>) => ({ tls: keys });
  // name, URL, blackbox module, our target keys that expect the same, success, status code. Targets
  // on one URL differ by a fragment (never sent): the http.url label masks queries.
  cases = (
    [
      ['200', `${http}/ok`, 'http_2xx', {}, 1, 200],
      ['500', `${http}/error`, 'http_2xx', {}, 0, 500],
      ['500 expected', `${http}/error#expected`, 'http_500', { status_codes: [500] }, 1, 500],
      ['past the timeout', `${http}/hang`, 'http_timeout', { timeout: TIMEOUT }, 0, 0],
      ['refused port', refused, 'http_2xx', {}, 0, 0],
      ['self-signed TLS', `${https}/ok`, 'https_verify', {}, 0, 0],
      [
        'TLS trusted through ca_file',
        `${https}/ok#ca_file`,
        'https_ca_file',
        tls({ ca_file: CERT_FILE }),
        1,
        200,
      ],
      [
        'TLS not verified',
        `${https}/ok#insecure`,
        'https_insecure',
        tls({ insecure_skip_verify: true }),
        1,
        200,
      ],
      ['body regex miss', `${http}/unhealthy`, 'http_healthy', { body_regex: 'healthy$' }, 0, 200],
      ['body regex match', `${http}/ok#regex`, 'http_healthy', { body_regex: 'healthy$' }, 1, 200],
    ] as const
  ).map(([name, url, module, ours, success, status]) => ({ name, url, module, ours, success, status }));

  dir = await mkdtemp(join(tmpdir(), 'tributary-blackbox-'));
  const config = join(dir, 'blackbox.yml');
  await writeFile(config, stringify({ modules: MODULES }));
  const port = await freePort();
  blackboxUrl = `http://127.0.0.1:${port}`;
  blackbox = startDaemon('prometheus-blackbox-exporter', [
    `--config.file=${config}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);

  const exporterPort = await freePort();
  metricsUrl = `http://127.0.0.1:${exporterPort}/metrics`;
  const receiver = {
    collection_interval: '1h',
    targets: cases.map((c) => ({ endpoint: c.url, ...c.ours })),
  };
  pipeline = await startPipeline(
    stringify({
      receivers: { httpcheck: receiver },
      exporters: { prometheus: { endpoint: `127.0.0.1:${exporterPort}` } },
      service: { pipelines: { metrics: { receivers: ['httpcheck'], exporters: ['prometheus'] } } },
    }),
    { plugins: [httpcheck, prometheus] },
  );
}, 30_000);

afterAll(async () => {
  await pipeline?.shutdown();
  if (blackbox) await stopDaemon(blackbox);
  await targets?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Sample values of a text-format exposition: name -> label text -> value. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const found = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[k as string] = v as string;
    found.push({ labels, value: Number(m[3]) });
  }
  return found;
}

async function probe(c: Case): Promise<{ success: number; status: number }> {
  const url = `${blackboxUrl}/probe?target=${encodeURIComponent(c.url)}&module=${c.module}`;
  const text = await (await fetch(url, { signal: AbortSignal.timeout(15_000) })).text();
  return {
    success: samples(text, 'probe_success')[0]?.value ?? Number.NaN,
    status: samples(text, 'probe_http_status_code')[0]?.value ?? Number.NaN,
  };
}

/** What our receiver says about a target on /metrics: httpcheck_success, and the code of the class seen. */
function ours(text: string, url: string): { success: number; status: number } {
  const success = samples(text, 'httpcheck_success').find((s) => s.labels.http_url === url);
  const seen = samples(text, 'httpcheck_status_ratio').find(
    (s) => s.labels.http_url === url && s.value === 1,
  );
  return { success: success?.value ?? Number.NaN, status: Number(seen?.labels.http_status_code ?? 0) };
}

describe('httpcheck receiver beside prometheus-blackbox-exporter', () => {
  it('agrees with blackbox_exporter on success and status code for every target', async () => {
    await until(
      () => fetch(`${blackboxUrl}/-/healthy`).then((r) => r.status),
      (status) => status === 200,
    );
    const scraped = await until(
      () => fetch(metricsUrl).then((r) => r.text()),
      (text) => samples(text, 'httpcheck_success').length === cases.length,
    );
    const rows = [];
    for (const c of cases) {
      rows.push({ name: c.name, blackbox: await probe(c), httpcheck: ours(scraped, c.url) });
    }
    const expected = cases.map((c) => ({ success: c.success, status: c.status }));
    expect(rows.map((r) => ({ name: r.name, ...r.blackbox }))).toEqual(
      cases.map((c, i) => ({ name: c.name, ...expected[i] })),
    );
    expect(rows.map((r) => ({ name: r.name, ...r.httpcheck }))).toEqual(
      rows.map((r) => ({ name: r.name, ...r.blackbox })),
    );
  }, 60_000);
});

describe('examples/prometheus/httpcheck-alerts.rules.yaml with promtool', () => {
  it('check rules accepts the ServerDown rule on httpcheck_success', async () => {
    const { code, output } = await promtool([
      'check',
      'rules',
      join(EXAMPLES, 'httpcheck-alerts.rules.yaml'),
    ]);
    expect(output).toContain('SUCCESS: 1 rules found');
    expect(code).toBe(0);
  });

  it('test rules passes its unit tests: fires after a minute of failed checks, not on one', async () => {
    const { code, output } = await promtool(['test', 'rules', join(EXAMPLES, 'httpcheck-alerts.test.yaml')]);
    expect(output).toContain('SUCCESS');
    expect(code).toBe(0);
  });
});
