// The scrape endpoint over real HTTP: format negotiation, gzip, methods and paths, a port in use.
import { Agent } from 'node:http';
import { createServer, type Server } from 'node:net';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterEach, describe, expect, it } from 'vitest';
import { TributaryError } from '../../../../core/errors.js';
import { type RunningPipeline, recordMetrics, startPipeline } from '../../../../core/testing/index.js';
import { builtins } from '../../../../plugins/index.js';
import { freePort, lines, scrape } from './helpers.js';

/** What Prometheus 2.x sends. */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const TEXT = 'text/plain; version=0.0.4; charset=utf-8';
const OPEN_METRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

let pipeline: RunningPipeline | undefined;
let blocker: Server | undefined;
afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = undefined;
  await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
  blocker = undefined;
});

const config = (port: number, options = '') => `receivers: { push: }
exporters:
  prometheus: { endpoint: "127.0.0.1:${port}"${options ? `, ${options}` : ''} }
service: { pipelines: { metrics: { receivers: [push], exporters: [prometheus] } } }
`;

/** A running exporter holding a counter and a histogram of the guide's. */
async function serving(options = '') {
  const port = await freePort();
  pipeline = await startPipeline(config(port, options), { plugins: builtins });
  await pipeline.push(
    'metrics',
    await recordMetrics(
      (provider) => {
        const meter = provider.getMeter('mcp');
        meter
          .createCounter('mcp_requests_total', { description: 'Total requests' })
          .add(3, { method: 'ping' });
        meter
          .createHistogram('mcp_request_duration_seconds', { unit: 's', description: 'Request duration' })
          .record(0.2, { method: 'ping' });
      },
      { resource: resourceFromAttributes({ 'service.name': 'mcp-server' }) },
    ),
  );
  return port;
}

describe('prometheus exporter endpoint', () => {
  it('serves text format 0.0.4 when the scraper does not ask for OpenMetrics', async () => {
    const port = await serving();
    for (const accept of [
      undefined,
      'text/plain',
      '*/*',
      'text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5',
    ]) {
      const res = await scrape(port, { headers: accept ? { accept } : {} });
      expect(res.status).toBe(200);
      expect(res.headers['content-type'], String(accept)).toBe(TEXT);
      expect(res.text).toContain('# TYPE mcp_requests_total counter\n');
      expect(res.text).not.toContain('# EOF');
    }
  });

  it("serves OpenMetrics 1.0 to Prometheus's Accept header: counter families without _total, # UNIT, # EOF", async () => {
    const port = await serving();
    const res = await scrape(port, { headers: { accept: PROMETHEUS_ACCEPT } });
    expect(res.headers['content-type']).toBe(OPEN_METRICS);
    const text = lines(res.text);
    expect(text).toContain('# TYPE mcp_requests counter');
    expect(text).toContain('# HELP mcp_requests Total requests');
    expect(text).toContain('mcp_requests_total{method="ping",otel_scope_name="mcp",job="mcp-server"} 3');
    expect(text).toContain('# UNIT mcp_request_duration_seconds seconds');
    expect(text.at(-1)).toBe('# EOF');
  });

  it('keeps to text format when enable_open_metrics is false', async () => {
    const port = await serving('enable_open_metrics: false');
    const res = await scrape(port, { headers: { accept: PROMETHEUS_ACCEPT } });
    expect(res.headers['content-type']).toBe(TEXT);
  });

  it('compresses with gzip when Accept-Encoding allows it', async () => {
    const port = await serving();
    const plain = await scrape(port);
    const zipped = await scrape(port, { headers: { 'accept-encoding': 'gzip, deflate' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(zipped.text).toBe(plain.text);
    const refused = await scrape(port, { headers: { 'accept-encoding': 'gzip;q=0, identity' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('answers HEAD with the headers of a GET and no body', async () => {
    const port = await serving();
    const get = await scrape(port);
    const head = await scrape(port, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe(TEXT);
    expect(Number(head.headers['content-length'])).toBe(get.raw.length);
    expect(head.raw.length).toBe(0);
  });

  it('answers 405 to other methods, 404 elsewhere, and a short help text on /', async () => {
    const port = await serving('path: /prom');
    const post = await scrape(port, { path: '/prom', method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect((await scrape(port, { path: '/metrics' })).status).toBe(404);
    expect((await scrape(port, { path: '/prom?debug=1' })).text).toContain('mcp_requests_total');
    const help = await scrape(port, { path: '/' });
    expect(help.status).toBe(200);
    expect(help.text).toContain('Metrics: /prom');
  });

  it('refuses to start on a port in use, naming the address and what to do', async () => {
    const port = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker?.listen(port, '127.0.0.1', resolve));
    const error = await startPipeline(config(port), { plugins: builtins }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TributaryError);
    const { code, message, hint } = error as TributaryError;
    expect(code).toBe('TRB_EXPORTER_PORT_IN_USE');
    expect(message).toBe(
      `exporter "prometheus" failed to start: cannot listen on 127.0.0.1:${port}: the address is already in use`,
    );
    expect(hint).toBe(
      'stop the process listening there, or set exporters.prometheus.endpoint to a free host:port',
    );
  });

  it('frees the port at shutdown, keep-alive connections included', async () => {
    const port = await serving();
    const agent = new Agent({ keepAlive: true });
    const kept = await scrape(port, { agent });
    expect(kept.headers.connection).toBe('keep-alive');
    await pipeline?.shutdown(); // would wait for the idle connection without closing it
    pipeline = undefined;
    agent.destroy();
    pipeline = await startPipeline(config(port), { plugins: builtins });
    expect((await scrape(port)).status).toBe(200);
  });
});
