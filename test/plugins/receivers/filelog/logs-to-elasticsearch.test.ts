// pipelines/logs-to-elasticsearch.yaml as shipped: the guide's JSON log lines (its StructuredFormatter)
// tailed from files into Elasticsearch (a mock that decodes the bulk bodies on its own), with the
// guide's fields as attributes, the record's own time and severity; a restart goes on from its
// checkpoint.
import { readFileSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { type RunningPipeline, startPipeline } from '../../../../core/testing/index.js';
import { builtins } from '../../../../plugins/index.js';
import { MockElasticsearch } from '../../exporters/elasticsearch/mock-elasticsearch.js';

const YAML = readFileSync(
  join(import.meta.dirname, '../../../../pipelines/logs-to-elasticsearch.yaml'),
  'utf8',
);
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of cleanup.splice(0).reverse()) await stop();
});

/** A line as the guide's logging_config.py writes it. */
const guideLine = (i: number) =>
  JSON.stringify({
    timestamp: `2026-12-07T10:00:${String(i % 60).padStart(2, '0')}.000123`,
    level: i % 10 === 0 ? 'ERROR' : 'INFO',
    message: `call ${i}`,
    logger: 'mcp.server',
    module: 'server',
    function: 'handle',
    line: 42,
    tool_name: 'search',
  });

it('ships the guide JSON log files to Elasticsearch, and goes on after a restart', {
  timeout: 60_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'trb-logs-es-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'logs'));
  const elasticsearch = await MockElasticsearch.start();
  cleanup.push(() => elasticsearch.close());
  const env = {
    MCP_LOG_FILES: join(dir, 'logs/*.log'),
    TRIBUTARY_DATA: join(dir, 'data'),
    ELASTICSEARCH_URL: elasticsearch.url,
  };
  const run = async () => {
    const pipeline: RunningPipeline = await startPipeline(YAML, { plugins: builtins, env });
    cleanup.push(() => pipeline.shutdown());
    return pipeline;
  };
  const log = join(dir, 'logs/mcp-server.log');
  await appendFile(log, `${Array.from({ length: 50 }, (_, i) => guideLine(i)).join('\n')}\n`);
  const first = await run();
  await expect.poll(() => elasticsearch.documents().length, { timeout: 20_000 }).toBe(50);
  await first.shutdown();

  await appendFile(log, `${Array.from({ length: 30 }, (_, i) => guideLine(50 + i)).join('\n')}\n`);
  await run();
  await expect.poll(() => elasticsearch.documents().length, { timeout: 20_000 }).toBe(80);

  const docs = elasticsearch.documents();
  // Each line once, in order, across the restart.
  expect(docs.map((d) => d.message)).toEqual(Array.from({ length: 80 }, (_, i) => `call ${i}`));
  expect([...elasticsearch.indexed.keys()]).toEqual(['mcp-server-2026.12.07']);
  expect(docs[10]).toMatchObject({
    '@timestamp': '2026-12-07T10:00:10.000Z',
    'log.level': 'ERROR',
    'event.severity': 17,
    tool_name: 'search',
    logger: 'mcp.server',
    line: 42,
    'log.file.name': 'mcp-server.log',
  });
});
