// A real Prometheus scrapes the prometheus exporter over HTTPS with basic auth, as a user secures a
// scrape endpoint reachable from other machines: up is 1 and the series come through; a job with the
// wrong password gets up 0 (Prometheus saw the 401).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { makeMetrics, type RunningPipeline, startPipeline } from '../../core/testing/index.js';
import { builtins } from '../../plugins/index.js';
import {
  type Daemon,
  freePort,
  query,
  type Sample,
  sampleValue,
  startPrometheus,
  stopDaemon,
  until,
} from './prometheus-helpers.js';

const TLS = join(import.meta.dirname, '../fixtures/tls');
let dir: string | undefined;
let pipeline: RunningPipeline | undefined;
let prometheus: Daemon | undefined;

afterAll(async () => {
  if (prometheus) await stopDaemon(prometheus);
  await pipeline?.shutdown();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 20_000);

it('Prometheus scrapes over TLS with basic auth; a wrong password is up 0', { timeout: 60_000 }, async () => {
  dir = await mkdtemp(join(tmpdir(), 'trb-prometheus-tls-'));
  const [exporterPort, prometheusPort] = [await freePort(), await freePort()];
  pipeline = await startPipeline(
    `receivers: { push: }
exporters:
  prometheus:
    endpoint: "127.0.0.1:${exporterPort}"
    tls: { cert_file: "${TLS}/localhost.crt", key_file: "${TLS}/localhost.key" }
    auth: { basic: { username: prometheus, password: "correct horse" } }
service: { pipelines: { metrics: { receivers: [push], exporters: [prometheus] } } }
`,
    { plugins: builtins },
  );
  await pipeline.push('metrics', await makeMetrics());
  const job = (name: string, password: string) => ({
    job_name: name,
    scheme: 'https',
    tls_config: { ca_file: `${TLS}/localhost.crt`, server_name: 'localhost' },
    basic_auth: { username: 'prometheus', password },
    static_configs: [{ targets: [`127.0.0.1:${exporterPort}`] }],
  });
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    stringify({
      global: { scrape_interval: '1s' },
      scrape_configs: [job('secured', 'correct horse'), job('wrong', 'battery staple')],
    }),
  );
  const api = `http://127.0.0.1:${prometheusPort}`;
  prometheus = startPrometheus(config, join(dir, 'data'), prometheusPort);
  const up = await until(
    () => query(api, 'up'),
    (s) => s.length === 2,
    30_000,
  );
  const byJob = Object.fromEntries(up.map((s) => [s.metric.job, sampleValue(s as Sample)]));
  expect(byJob, prometheus.output.join('')).toEqual({ secured: 1, wrong: 0 });
  const series = await query(api, '{job="secured", __name__!~"up|scrape_.*"}');
  expect(series.length).toBeGreaterThan(0);
});
