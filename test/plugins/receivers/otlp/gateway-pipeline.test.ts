// pipelines/gateway.yaml as shipped: what an OpenTelemetry SDK sends it is served on /metrics.

import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, type RunningPipeline, startPipeline } from '../../../../core/testing/index.js';
import { builtins } from '../../../../plugins/index.js';
import { mcpMetrics } from '../../exporters/decoders/data.js';
import { lines, scrape } from '../../exporters/prometheus/helpers.js';

const GATEWAY_YAML = join(import.meta.dirname, '../../../../pipelines/gateway.yaml');

describe('pipelines/gateway.yaml', () => {
  let pipeline: RunningPipeline | undefined;
  afterEach(async () => {
    // Jaeger and Elasticsearch are not there: what they hold may go at once.
    await pipeline?.engine.shutdown({ timeoutMs: 100 });
    pipeline = undefined;
  });

  it('serves on /metrics what an SDK sends it over OTLP/HTTP', async () => {
    const [otlpPort, prometheusPort] = [await freePort(), await freePort()];
    pipeline = await startPipeline(readFileSync(GATEWAY_YAML, 'utf8'), {
      plugins: builtins,
      env: {
        OTLP_ENDPOINT: `127.0.0.1:${otlpPort}`,
        PROMETHEUS_ENDPOINT: `127.0.0.1:${prometheusPort}`,
        JAEGER_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
        ELASTICSEARCH_URL: `http://127.0.0.1:${await freePort()}`,
        TRIBUTARY_DATA: await mkdtemp(join(tmpdir(), 'trb-gateway-')),
      },
    });
    const exporter = new OTLPMetricExporter({ url: `http://127.0.0.1:${otlpPort}/v1/metrics` });
    const [metrics] = await mcpMetrics();
    const result = await new Promise<{ code: ExportResultCode }>((resolve) =>
      exporter.export(metrics as never, resolve),
    );
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    const { text } = await scrape(prometheusPort);
    expect(lines(text)).toContain(
      'mcp_requests_total{method="tools/call",otel_scope_name="mcp.metrics",otel_scope_version="1.0.0",job="mcp-server"} 3',
    );
  });
});
