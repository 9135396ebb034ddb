// The prometheus receiver against real HTTP targets on loopback, in a real pipeline.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TributaryErrors } from '../../../../core/errors.js';
import { freePort, type RunningPipeline, startPipeline } from '../../../../core/testing/index.js';
import { builtins } from '../../../../plugins/index.js';
import { PrometheusReceiverConfig } from '../../../../plugins/receivers/prometheus/config.js';
import { ACCEPT } from '../../../../plugins/receivers/prometheus/scrape.js';
import { type ScrapeOutcome, ScrapeTarget } from '../../../../plugins/receivers/prometheus/target.js';
import { stalled } from '../../../core/stalled.js';
import { scrape, waitFor } from '../../exporters/prometheus/helpers.js';
import {
  promClientApp,
  samplesOf,
  samplesOfText,
  serving,
  startTarget,
  type Target,
  withoutScrapeSeries,
} from './helpers.js';

let pipeline: RunningPipeline | undefined;
const targets: Target[] = [];

afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = undefined;
  for (const t of targets.splice(0)) await t.close();
});

const target = async (handle: Parameters<typeof startTarget>[0]) => {
  const t = await startTarget(handle);
  targets.push(t);
  return t;
};

/** A pipeline: the receiver scraping `job` every 100 ms into the sink (and the prometheus exporter on `port`). */
async function scraping(job: string, port?: number): Promise<RunningPipeline> {
  pipeline = await startPipeline(
    `
receivers:
  prometheus:
    config:
      global: { scrape_interval: 100ms, scrape_timeout: 100ms }
      scrape_configs:
${job.replace(/^/gm, '        ')}
exporters:
  sink: {}
${port ? `  prometheus: { endpoint: "127.0.0.1:${port}" }` : ''}
service:
  pipelines:
    metrics: { receivers: [prometheus], exporters: [sink${port ? ', prometheus' : ''}] }
`,
    { plugins: builtins },
  );
  return pipeline;
}

/** The samples of the last batch the sink got, once there is one that `done` accepts. */
async function lastScrape(p: RunningPipeline, done: (samples: Map<string, number>) => boolean = () => true) {
  return waitFor(
    async () => samplesOf(p.recorded.of('metrics').at(-1) ?? []),
    (samples) => samples.size > 0 && done(samples),
  );
}

describe('prometheus receiver', () => {
  it('passes on what a prom-client app exposes, with job and instance, and the exporter serves the same series back', async () => {
    const registry = promClientApp();
    const exposition = await registry.metrics();
    const app = await target(serving(exposition, registry.contentType));
    const port = await freePort();
    const p = await scraping(`- job_name: app\n  static_configs: [{ targets: ["${app.address}"] }]`, port);
    const expected = samplesOfText(exposition, { job: 'app', instance: app.address });

    const received = await lastScrape(p);
    expect(withoutScrapeSeries(received)).toEqual(expected);
    expect(received.get(`up{instance="${app.address}",job="app"}`)).toBe(1);
    expect(received.get(`scrape_samples_scraped{instance="${app.address}",job="app"}`)).toBe(expected.size);

    const served = samplesOfText((await scrape(port)).text);
    expect(withoutScrapeSeries(served)).toEqual(expected);
    expect(app.requests[0]?.accept).toBe(ACCEPT);
  });

  it('reads OpenMetrics when the target answers with it: counters keep their _total name, _created dates the start', async () => {
    const app = await target(
      serving(
        '# TYPE jobs counter\n# HELP jobs Jobs done.\njobs_total{queue="a"} 4\njobs_created{queue="a"} 1700000000.5\n# EOF\n',
        'application/openmetrics-text; version=1.0.0; charset=utf-8',
      ),
    );
    const p = await scraping(`- job_name: om\n  static_configs: [{ targets: ["${app.address}"] }]`);
    await lastScrape(p);
    const metrics = p.recorded.of('metrics').at(-1)?.[0]?.scopeMetrics[0]?.metrics ?? [];
    const jobs = metrics.find((m) => m.descriptor.name === 'jobs_total');
    expect(jobs).toMatchObject({ isMonotonic: true, descriptor: { description: 'Jobs done.' } });
    expect(jobs?.dataPoints[0]).toMatchObject({ value: 4, startTime: [1700000000, 500_000_000] });
    expect(metrics.map((m) => m.descriptor.name)).not.toContain('jobs_created');
  });

  it('a target that goes down: up is 0 and its series disappear', async () => {
    let down = false;
    const app = await target((req, res) => {
      if (down) req.socket.destroy();
      else serving('x 1\n')(req, res);
    });
    const p = await scraping(`- job_name: flaky\n  static_configs: [{ targets: ["${app.address}"] }]`);
    const key = (name: string) => `${name}{instance="${app.address}",job="flaky"}`;
    expect((await lastScrape(p)).get(key('x'))).toBe(1);
    down = true;
    const after = await lastScrape(p, (s) => s.get(key('up')) === 0);
    expect(after.get(key('up'))).toBe(0);
    expect(withoutScrapeSeries(after).size).toBe(0);
  });

  it('scrape_series_added counts the series new since the last scrape, gauges and counters alike', async () => {
    const app = await target(serving('# TYPE hits_total counter\nhits_total 2\ntemperature 20\n'));
    const p = await scraping(`- job_name: added\n  static_configs: [{ targets: ["${app.address}"] }]`);
    const key = `scrape_series_added{instance="${app.address}",job="added"}`;
    await waitFor(
      async () => p.recorded.of('metrics').length,
      (n) => n >= 2,
    );
    const [first, second] = p.recorded.of('metrics').map(samplesOf);
    expect(first?.get(key)).toBe(2);
    expect(second?.get(key)).toBe(0);
  });

  it.each([
    ['body_size_limit: 10B', 'a_long_metric_name 1\n'],
    ['sample_limit: 2', 'a 1\nb 2\nc 3\n'],
  ])('%s: a larger scrape fails, up 0 and no series', async (limit, body) => {
    const app = await target(serving(body));
    const p = await scraping(
      `- job_name: big\n  ${limit}\n  static_configs: [{ targets: ["${app.address}"] }]`,
    );
    const samples = await lastScrape(p);
    expect(samples.get(`up{instance="${app.address}",job="big"}`)).toBe(0);
    expect(withoutScrapeSeries(samples).size).toBe(0);
  });

  it('reads a gzipped body; a target that answers 500, or not within scrape_timeout, is up 0', async () => {
    const zipped = await target((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-encoding': 'gzip' });
      res.end(gzipSync('zipped 42\n'));
    });
    const broken = await target((_req, res) => {
      res.writeHead(500);
      res.end('oops');
    });
    const silent = await target(() => {}); // never answers
    const p = await scraping(
      ['zipped', 'broken', 'silent']
        .map(
          (job, i) =>
            `- job_name: ${job}\n  static_configs: [{ targets: ["${[zipped, broken, silent][i]?.address}"] }]`,
        )
        .join('\n'),
    );
    const up = (job: string, t: Target) => `up{instance="${t.address}",job="${job}"}`;
    const seen = new Map<string, number>();
    await waitFor(
      async () => {
        for (const batch of p.recorded.of('metrics')) for (const [k, v] of samplesOf(batch)) seen.set(k, v);
        return seen;
      },
      (s) => s.has(up('silent', silent)) && s.has(up('broken', broken)) && s.has(up('zipped', zipped)),
    );
    expect(seen.get(`zipped{instance="${zipped.address}",job="zipped"}`)).toBe(42);
    expect([
      seen.get(up('zipped', zipped)),
      seen.get(up('broken', broken)),
      seen.get(up('silent', silent)),
    ]).toEqual([1, 0, 0]);
  });

  it('a target nobody listens on is up 0', async () => {
    const port = await freePort();
    const p = await scraping(`- job_name: gone\n  static_configs: [{ targets: ["127.0.0.1:${port}"] }]`);
    expect((await lastScrape(p)).get(`up{instance="127.0.0.1:${port}",job="gone"}`)).toBe(0);
  });

  it('sends basic auth (password_file read at scrape) and authorization credentials; static labels and metrics_path apply', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trb-prom-receiver-'));
    try {
      await writeFile(join(dir, 'password'), 's3cret\n');
      const paths: string[] = [];
      const app = await target((req, res) => {
        paths.push(req.url ?? '');
        serving('x{env="dev"} 1\n')(req, res);
      });
      const p = await scraping(
        [
          '- job_name: basic',
          '  metrics_path: /custom',
          `  basic_auth: { username: me, password_file: "${join(dir, 'password')}" }`,
          `  static_configs: [{ targets: ["${app.address}"], labels: { env: prod } }]`,
          '- job_name: bearer',
          '  authorization: { credentials: tok3n }',
          `  static_configs: [{ targets: ["${app.address}"] }]`,
        ].join('\n'),
      );
      const samples = await lastScrape(p, (s) =>
        s.has(`x{env="prod",exported_env="dev",instance="${app.address}",job="basic"}`),
      );
      expect(samples.get(`x{env="prod",exported_env="dev",instance="${app.address}",job="basic"}`)).toBe(1);
      await waitFor(
        async () => app.requests.length,
        (n) => n >= 2,
      );
      const auth = app.requests.map((h) => h.authorization);
      expect(auth).toContain(`Basic ${Buffer.from('me:s3cret').toString('base64')}`);
      expect(auth).toContain('Bearer tok3n');
      expect(paths).toContain('/custom');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a target is never scraped twice at once', () => {
  it('a tick that finds the last scrape still waiting on the pipeline is skipped and counted; a refusal is counted', async () => {
    const app = await target(serving('x 1\n'));
    const { next, batches, takeAll } = stalled<'metrics'>();
    const outcomes: ScrapeOutcome[] = [];
    const config = PrometheusReceiverConfig.parse({
      config: { scrape_configs: [{ job_name: 'slow', static_configs: [{ targets: [app.address] }] }] },
    });
    const job = config.config.scrape_configs[0] as (typeof config.config.scrape_configs)[0];
    const labels = {
      job: 'slow',
      instance: app.address,
      labels: [
        ['job', 'slow'],
        ['instance', app.address],
      ] as [string, string][],
      honorLabels: false,
    };
    const scrapeTarget = new ScrapeTarget(
      job,
      app.address,
      labels,
      { interval: 20, timeout: 20 },
      next,
      pino({ level: 'silent' }),
      (o) => outcomes.push(o),
    );
    scrapeTarget.start();
    try {
      await waitFor(
        async () => outcomes.filter((o) => o === 'skipped').length,
        (n) => n >= 3,
      );
      expect(app.requests).toHaveLength(1);
      expect(batches).toHaveLength(1);
      takeAll();
      await waitFor(
        async () => outcomes.filter((o) => o === 'ok').length,
        (n) => n >= 1,
      );
      expect(outcomes).toContain('ok');
    } finally {
      takeAll();
      await scrapeTarget.stop();
      takeAll();
    }

    const refusing = new ScrapeTarget(
      job,
      app.address,
      labels,
      { interval: 60_000, timeout: 1000 },
      { consume: () => Promise.reject(new Error('full')) },
      pino({ level: 'silent' }),
      (o) => outcomes.push(o),
    );
    await refusing.scrape();
    expect(outcomes.at(-1)).toBe('refused');
  });
});

describe('configuration', () => {
  const invalid = async (scrapeConfig: string) => {
    const error = await startPipeline(
      `
receivers:
  prometheus:
    config:
      scrape_configs:
${scrapeConfig.replace(/^/gm, '        ')}
exporters: { sink: {} }
service: { pipelines: { metrics: { receivers: [prometheus], exporters: [sink] } } }
`,
      { plugins: builtins },
    ).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TributaryErrors);
    return String((error as Error).message);
  };

  it('a Prometheus key it does not support is named, with what is supported', async () => {
    const message = await invalid(
      '- job_name: a\n  relabel_configs: []\n  static_configs: [{ targets: ["127.0.0.1:1"] }]',
    );
    expect(message).toContain('TRB_CONFIG_UNSUPPORTED');
    expect(message).toContain(
      'the Prometheus scrape_configs key "relabel_configs" is not supported by this receiver; supported: job_name, static_configs, scrape_interval',
    );
  });

  it('scrape_timeout longer than scrape_interval, and a target without a port, are errors', async () => {
    expect(
      await invalid(
        '- job_name: a\n  scrape_interval: 5s\n  scrape_timeout: 10s\n  static_configs: [{ targets: ["127.0.0.1:1"] }]',
      ),
    ).toContain('scrape_timeout (10000 ms) is longer than scrape_interval (5000 ms)');
    expect(await invalid('- job_name: a\n  static_configs: [{ targets: ["localhost"] }]')).toContain(
      'a target is host:port',
    );
  });

  it('a job_name used twice, basic_auth with authorization, and a meta label are errors', async () => {
    const target = 'static_configs: [{ targets: ["127.0.0.1:1"] }]';
    expect(await invalid(`- job_name: a\n  ${target}\n- job_name: a\n  ${target}`)).toContain(
      'job_name "a" is used twice',
    );
    expect(
      await invalid(
        `- job_name: a\n  basic_auth: { username: u, password: p }\n  authorization: { credentials: c }\n  ${target}`,
      ),
    ).toContain('set basic_auth or authorization, not both');
    expect(
      await invalid(
        '- job_name: a\n  static_configs: [{ targets: ["127.0.0.1:1"], labels: { __address__: x } }]',
      ),
    ).toContain('label "__address__" starts with "__": Prometheus meta labels need relabel_configs');
  });

  it('defaults as Prometheus: 1m interval, 10s timeout (cut to a shorter interval), /metrics, http', () => {
    const parsed = PrometheusReceiverConfig.parse({
      config: { scrape_configs: [{ job_name: 'a', scrape_interval: '5s' }] },
    });
    expect(parsed.config.global).toMatchObject({ scrape_interval: 60_000, scrape_timeout: 10_000 });
    expect(parsed.config.scrape_configs[0]).toMatchObject({
      metrics_path: '/metrics',
      scheme: 'http',
      honor_labels: false,
    });
  });
});

describe('shutdown', () => {
  it('abandons a scrape in flight and passes nothing on, rather than waiting for scrape_timeout', async () => {
    let asked!: () => void;
    const requested = new Promise<void>((resolve) => {
      asked = resolve;
    });
    // A target that never answers: only the receiver's stop can end the scrape before its 60 s timeout.
    const app = await target(() => asked());
    const config = PrometheusReceiverConfig.parse({
      config: { scrape_configs: [{ job_name: 'hung', static_configs: [{ targets: [app.address] }] }] },
    });
    const job = config.config.scrape_configs[0] as (typeof config.config.scrape_configs)[0];
    const passedOn: unknown[] = [];
    const outcomes: ScrapeOutcome[] = [];
    const scrapeTarget = new ScrapeTarget(
      job,
      app.address,
      { job: 'hung', instance: app.address, labels: [], honorLabels: false },
      { interval: 60_000, timeout: 60_000 },
      { consume: async (batch) => void passedOn.push(batch) },
      pino({ level: 'silent' }),
      (o) => outcomes.push(o),
    );
    scrapeTarget.start();
    await requested;
    await scrapeTarget.stop();
    expect(passedOn).toEqual([]);
    expect(outcomes).toEqual([]);
  });
});
