import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyValueMap } from '@opentelemetry/api-logs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkConformance, makeLogs, recordLogs, startPipeline } from '../../../../core/testing/index.js';
import alertmanager from '../../../../plugins/exporters/alertmanager/index.js';
import { freePort, ports } from '../../../e2e/prometheus-helpers.js';
import { closedPort, HttpBackend } from '../decoders/backends.js';
import { exporterUnderTest } from '../decoders/exporter-harness.js';
import { type GettableAlert, RealAlertmanager } from './real-alertmanager.js';

const CLI = join(import.meta.dirname, '../../../../dist/cli.js');
// A self-signed certificate for localhost and 127.0.0.1 (test/fixtures/tls/README.md).
const TLS_DIR = join(import.meta.dirname, '../../../fixtures/tls');
const CERT_FILE = join(TLS_DIR, 'localhost.crt');
const serverTls = { cert: readFileSync(CERT_FILE), key: readFileSync(join(TLS_DIR, 'localhost.key')) };

// Fast retries, no jitter: the failure tests wait for attempts, never for a clock.
const quickRetry = { initial_interval: '10ms', max_interval: '50ms', randomization_factor: 0 };

interface AlertEvent {
  name: string;
  state: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/** Alert event log records as the alertrules connector emits them (the contract in docs/alerting.md). */
function alertEvents(...events: AlertEvent[]) {
  return recordLogs((provider) => {
    const logger = provider.getLogger('tributary-alertrules');
    for (const e of events) {
      const attributes: AnyValueMap = {
        'alert.name': e.name,
        'alert.state': e.state,
        'alert.labels': { alertname: e.name, ...e.labels },
        'alert.annotations': e.annotations ?? {},
        'alert.starts_at': e.startsAt,
        'alert.ends_at': e.endsAt,
        'alert.value': 0.5,
      };
      if (e.generatorURL) attributes['alert.generator_url'] = e.generatorURL;
      logger.emit({
        body: `${e.name} ${e.state}`,
        severityText: e.state === 'firing' ? 'WARN' : 'INFO',
        attributes,
      });
    }
  });
}

const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

function highErrorRate(state: 'firing' | 'resolved', tool = 'search'): AlertEvent {
  return {
    name: 'HighErrorRate',
    state,
    labels: { severity: 'warning', tool, status: 'error' },
    annotations: { summary: 'High error rate detected', description: 'Error rate is 0.5 errors per second' },
    startsAt: minutes(-3),
    // Firing: a few evaluation intervals ahead, as Prometheus sends; resolved: the resolve time.
    endsAt: state === 'firing' ? minutes(4) : minutes(0),
    generatorURL: 'http://127.0.0.1:9464/graph?g0.expr=rate%28mcp_tool_executions_total%5B5m%5D%29',
  };
}

const names = (alerts: GettableAlert[]) =>
  alerts.map((a) => `${a.labels.alertname}{tool=${a.labels.tool}}`).sort();

describe('alertmanager exporter config', () => {
  it('defaults to one Alertmanager on localhost:9093 and the exporter helper defaults', () => {
    expect(alertmanager.config.parse({})).toMatchObject({
      endpoints: ['http://localhost:9093'],
      headers: {},
      timeout: 5000,
      sending_queue: { enabled: true, queue_size: 1000 },
    });
  });

  it('keeps the component contract (start, shutdown twice, no timers left)', async () => {
    const port = await closedPort();
    expect(
      await checkConformance(alertmanager, { config: { endpoints: [`http://127.0.0.1:${port}`] } }),
    ).toEqual(['logs']);
  });

  it('refuses an empty endpoint list and what is not an http(s) URL, saying what would be valid', () => {
    const empty = alertmanager.config.safeParse({ endpoints: [] });
    expect(empty.error?.issues[0]?.message).toBe(
      'name at least one Alertmanager, e.g. ["http://127.0.0.1:9093"]',
    );
    const ftp = alertmanager.config.safeParse({ endpoints: ['ftp://am:9093'] });
    expect(ftp.error?.issues[0]).toMatchObject({
      path: ['endpoints', 0],
      message: 'expected an http:// or https:// URL, e.g. "http://127.0.0.1:9093"',
    });
  });
});

describe('alertmanager exporter secrets', () => {
  it('are redacted by tributary print-config, whatever the header is called', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alertmanager-config-'));
    try {
      const config = join(dir, 'config.yaml');
      await writeFile(
        config,
        `receivers: { otlp: {} }
exporters:
  alertmanager:
    endpoints: [https://am.example:9093]
    headers: { authorization: "Bearer s3cr3t-t0ken", x-scope-orgid: "tenant-k3y" }
service: { pipelines: { logs: { receivers: [otlp], exporters: [alertmanager] } } }
`,
      );
      const run = spawnSync(process.execPath, [CLI, 'print-config', '--config', config], {
        encoding: 'utf8',
      });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('authorization: "[REDACTED]"');
      expect(run.stdout).toContain('x-scope-orgid: "[REDACTED]"');
      for (const secret of ['s3cr3t', 'tenant-k3y']) expect(run.stdout + run.stderr).not.toContain(secret);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('alertmanager exporter with a real Alertmanager', () => {
  let first: RealAlertmanager;
  let second: RealAlertmanager;

  beforeAll(async () => {
    const [a, b] = await ports(2);
    [first, second] = await Promise.all([
      RealAlertmanager.start(a as number),
      RealAlertmanager.start(b as number),
    ]);
  });
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
  });

  it('notifies every Alertmanager of firing alerts, then resolves them, from a logs pipeline', async () => {
    const pipeline = await startPipeline(
      `
receivers: { push: {} }
exporters:
  alertmanager:
    endpoints: [${first.url}, ${second.url}/]
service:
  pipelines:
    logs: { receivers: [push], exporters: [alertmanager] }
`,
      { plugins: [alertmanager] },
    );
    try {
      await pipeline.push(
        'logs',
        alertEvents(highErrorRate('firing', 'search'), highErrorRate('firing', 'fetch')),
      );
      const expected = ['HighErrorRate{tool=fetch}', 'HighErrorRate{tool=search}'];
      for (const am of [first, second]) {
        const alerts = await am.alertsUntil((list) => list.length === 2);
        expect(names(alerts)).toEqual(expected);
        const search = alerts.find((a) => a.labels.tool === 'search');
        expect(search).toMatchObject({
          labels: { alertname: 'HighErrorRate', severity: 'warning', tool: 'search', status: 'error' },
          annotations: {
            summary: 'High error rate detected',
            description: 'Error rate is 0.5 errors per second',
          },
          generatorURL: 'http://127.0.0.1:9464/graph?g0.expr=rate%28mcp_tool_executions_total%5B5m%5D%29',
          status: { state: 'active' },
        });
      }

      await pipeline.push('logs', alertEvents(highErrorRate('resolved', 'search')));
      for (const am of [first, second]) {
        expect(names(await am.alertsUntil((list) => list.length === 1))).toEqual([
          'HighErrorRate{tool=fetch}',
        ]);
      }
      await pipeline.push('logs', alertEvents(highErrorRate('resolved', 'fetch')));
      for (const am of [first, second]) expect(await am.alertsUntil((list) => list.length === 0)).toEqual([]);
    } finally {
      await pipeline.shutdown();
    }
  });

  it('retries an Alertmanager that is down until it is back, without notifying the others twice', async () => {
    const run = exporterUnderTest(
      alertmanager,
      { endpoints: [first.url, second.url], retry_on_failure: quickRetry },
      'logs',
    );
    const backend = await HttpBackend.start();
    const watched = exporterUnderTest(
      alertmanager,
      { endpoints: [backend.url, second.url], retry_on_failure: quickRetry },
      'logs',
      'alertmanager/watched',
    );
    await second.stop();
    try {
      await run.exporter.start(run.host);
      await run.exporter.consume(alertEvents(highErrorRate('firing', 'down-then-up')));
      await watched.exporter.start(watched.host);
      backend.reply = () => ({ status: 200 });
      await watched.exporter.consume(alertEvents(highErrorRate('firing', 'watched')));
      const retrying = await run.logged('send failed; will retry');
      expect(String(retrying.error)).toContain(`${second.url}/api/v2/alerts: connect ECONNREFUSED`);
      expect(String(retrying.error)).toContain('(1 other Alertmanagers have the alerts)');
      await watched.logged('send failed; will retry');
      expect(names(await first.alerts())).toContain('HighErrorRate{tool=down-then-up}');
      expect(await run.metric('tributary_exporter_sent_items')).toBe(0);

      await second.restart();
      const back = await second.alertsUntil((list) =>
        names(list).includes('HighErrorRate{tool=down-then-up}'),
      );
      expect(names(back)).toContain('HighErrorRate{tool=down-then-up}');
      await run.logged('sends succeed again');
      await watched.logged('sends succeed again');
      expect(await run.metric('tributary_exporter_sent_items')).toBe(1);
      // The Alertmanager that was up all along got the batch once, however many retries the other took.
      expect(backend.requests.map((r) => r.path)).toEqual(['/api/v2/alerts']);
    } finally {
      await Promise.all([run.stop(), watched.stop(), backend.close()]);
      if (!(await second.alerts().catch(() => undefined))) await second.restart();
    }
  });

  it('gives up a batch the Alertmanager refuses (a label name it cannot take): counted and logged with its answer', async () => {
    const run = exporterUnderTest(
      alertmanager,
      { endpoints: [first.url], sending_queue: { enabled: false } },
      'logs',
    );
    await run.exporter.start(run.host);
    const bad = highErrorRate('firing', 'bad');
    bad.labels['tool-name'] = 'search';
    const refusal = await run.exporter.consume(alertEvents(bad)).catch((err: Error) => err);
    await run.stop();
    expect(refusal).toBeInstanceOf(Error);
    expect((refusal as Error).name).toBe('PermanentError');
    expect((refusal as Error).message).toMatch(
      new RegExp(`^${first.url}/api/v2/alerts answered HTTP 400 Bad Request: .*tool-name`),
    );
    expect(await run.metric('tributary_exporter_send_failed_items')).toBe(1);
    expect(names(await first.alerts())).not.toContain('HighErrorRate{tool=bad}');
  });
});

describe('alertmanager exporter with a real Alertmanager asking for client certificates (mutual TLS)', () => {
  let secure: RealAlertmanager;
  const KEY_FILE = join(TLS_DIR, 'localhost.key');

  beforeAll(async () => {
    secure = await RealAlertmanager.start(await freePort(), {
      certFile: CERT_FILE,
      keyFile: KEY_FILE,
      clientCaFile: CERT_FILE,
    });
  });
  afterAll(async () => secure?.close());

  it('delivers over HTTPS with tls.ca_file and the client certificate', async () => {
    const run = exporterUnderTest(
      alertmanager,
      {
        endpoints: [secure.url],
        tls: { ca_file: CERT_FILE, cert_file: CERT_FILE, key_file: KEY_FILE },
        sending_queue: { enabled: false },
      },
      'logs',
    );
    await run.exporter.start(run.host);
    await run.exporter.consume(alertEvents(highErrorRate('firing', 'mtls')));
    await run.stop();
    expect(secure.url).toMatch(/^https:/);
    expect(names(await secure.alerts())).toEqual(['HighErrorRate{tool=mtls}']);
  });

  it('is refused the handshake without a client certificate, and retries', async () => {
    const run = exporterUnderTest(
      alertmanager,
      { endpoints: [secure.url], tls: { ca_file: CERT_FILE }, retry_on_failure: quickRetry },
      'logs',
    );
    await run.exporter.start(run.host);
    await run.exporter.consume(alertEvents(highErrorRate('firing', 'no-client-cert')));
    const retrying = await run.logged('send failed; will retry');
    // It would retry for max_elapsed_time: let the drain deadline pass, so the batch is dropped, counted.
    run.deadline.abort();
    await run.stop();
    expect(String(retrying.error)).toMatch(
      new RegExp(`^${secure.url}/api/v2/alerts: .*alert bad certificate`),
    );
    expect(await run.metric('tributary_exporter_dropped_items')).toBe(1);
    expect(names(await secure.alerts())).not.toContain('HighErrorRate{tool=no-client-cert}');
  });
});

describe('alertmanager exporter on records that are not alert events', () => {
  let backend: HttpBackend;
  afterEach(async () => backend?.close());

  it('refuses them as a PermanentError, counts each and logs the first, and still sends the alerts beside them', async () => {
    backend = await HttpBackend.start();
    backend.reply = () => ({ status: 200 });
    const run = exporterUnderTest(
      alertmanager,
      { endpoints: [backend.url], sending_queue: { enabled: false } },
      'logs',
    );
    await run.exporter.start(run.host);
    const plain = makeLogs(['Tool execution started', 'Tool execution finished']);
    const refusal = await run.exporter.consume(plain).catch((err: Error) => err);
    await run.exporter.consume([...makeLogs(['another']), ...alertEvents(highErrorRate('firing'))]);
    await run.stop();

    expect((refusal as Error).name).toBe('PermanentError');
    expect((refusal as Error).message).toBe(
      "2 log records refused: not an alert event (it has no string attribute alert.name): the alertmanager exporter takes the alertrules connector's alert log records",
    );
    expect(await run.metric('tributary_exporter_refused_items')).toBe(3);
    expect(await run.metric('tributary_exporter_sent_items')).toBe(1);
    expect(run.logs.filter((line) => line.msg.startsWith('refusing log records'))).toHaveLength(1);
    const sent = JSON.parse(backend.requests[0]?.body.toString() ?? '[]') as unknown[];
    expect(sent).toHaveLength(1);
  });

  it('sends its headers with the JSON body, and never logs their values', async () => {
    backend = await HttpBackend.start();
    backend.reply = () => ({ status: 401, body: 'unauthorized' });
    const run = exporterUnderTest(
      alertmanager,
      {
        endpoints: [`${backend.url}/prefix`],
        headers: { authorization: 'Bearer s3cr3t-t0ken' },
        sending_queue: { enabled: false },
      },
      'logs',
    );
    await run.exporter.start(run.host);
    const event = highErrorRate('firing');
    const refusal = await run.exporter.consume(alertEvents(event)).catch((err: Error) => err.message);
    await run.stop();

    const request = backend.requests[0];
    expect(request?.path).toBe('/prefix/api/v2/alerts');
    expect(request?.headers).toMatchObject({
      authorization: 'Bearer s3cr3t-t0ken',
      'content-type': 'application/json',
    });
    expect(JSON.parse(request?.body.toString() ?? '')).toEqual([
      {
        labels: { alertname: 'HighErrorRate', ...event.labels },
        annotations: event.annotations,
        startsAt: event.startsAt,
        endsAt: event.endsAt,
        generatorURL: event.generatorURL,
      },
    ]);
    expect(refusal).toBe(`${backend.url}/prefix/api/v2/alerts answered HTTP 401 Unauthorized: unauthorized`);
    expect(JSON.stringify(run.logs)).not.toContain('s3cr3t');
  });

  it('gives up an attempt an Alertmanager does not answer within timeout, and sends the batch again', async () => {
    backend = await HttpBackend.start();
    backend.reply = (_request, index) => (index === 0 ? { hang: true } : { status: 200 });
    const run = exporterUnderTest(
      alertmanager,
      { endpoints: [backend.url], timeout: '100ms', retry_on_failure: quickRetry },
      'logs',
    );
    await run.exporter.start(run.host);
    await run.exporter.consume(alertEvents(highErrorRate('firing')));
    const retrying = await run.logged('send failed; will retry');
    await run.logged('sends succeed again');
    await run.stop();
    expect(String(retrying.error)).toBe('send timed out after 100ms');
    expect(backend.requests).toHaveLength(2);
    expect(await run.metric('tributary_exporter_sent_items')).toBe(1);
  });

  it('sends over HTTPS to an Alertmanager verified against tls.ca_file', async () => {
    backend = await HttpBackend.start(0, serverTls);
    backend.reply = () => ({ status: 200 });
    const run = exporterUnderTest(
      alertmanager,
      { endpoints: [backend.url], tls: { ca_file: CERT_FILE }, sending_queue: { enabled: false } },
      'logs',
    );
    await run.exporter.start(run.host);
    await run.exporter.consume(alertEvents(highErrorRate('firing')));
    await run.stop();
    expect(backend.url).toMatch(/^https:/);
    expect(backend.requests.map((r) => r.path)).toEqual(['/api/v2/alerts']);
    expect(await run.metric('tributary_exporter_sent_items')).toBe(1);
  });

  it('stops the start when a TLS file cannot be read, with TRB_EXPORTER_ALERTMANAGER_TLS', async () => {
    const port = await closedPort();
    const run = exporterUnderTest(
      alertmanager,
      { endpoints: [`https://127.0.0.1:${port}`], tls: { ca_file: '/nonexistent/ca.pem' } },
      'logs',
    );
    const failure = await run.exporter.start(run.host).catch((err: Error & { code?: string }) => err);
    await run.stop();
    expect((failure as { code?: string }).code).toBe('TRB_EXPORTER_ALERTMANAGER_TLS');
    expect((failure as Error).message).toContain('cannot read tls.ca_file /nonexistent/ca.pem');
  });
});
