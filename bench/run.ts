// `npm run bench`: every benchmark, ours next to its peer in one process, with the ratio printed.
// `node --expose-gc dist/bench/run.js mcp-overhead mcp-peers` runs only the benchmarks named.
import 'reflect-metadata';
import * as alertEval from './alert-eval.js';
import * as fileStorage from './file-storage.js';
import * as mcpOverhead from './mcp-overhead.js';
import * as mcpPeers from './mcp-peers.js';
import * as percentiles from './percentiles.js';
import * as pipelineBatch from './pipeline-batch.js';
import * as prometheusScrape from './prometheus-scrape.js';
import { print, type Result } from './report.js';
import * as soak from './soak.js';

const benchmarks: Record<string, { run(): Promise<Result | Result[]> }> = {
  'pipeline-batch': pipelineBatch,
  'mcp-overhead': mcpOverhead,
  'mcp-peers': mcpPeers,
  'prometheus-scrape': prometheusScrape,
  percentiles,
  'alert-eval': alertEval,
  'file-storage': fileStorage,
  soak,
};
const named = process.argv.slice(2);
const unknown = named.filter((name) => !(name in benchmarks));
if (unknown.length) {
  process.stderr.write(
    `unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}\n`,
  );
  process.exit(2);
}
for (const [name, bench] of Object.entries(benchmarks)) {
  if (named.length && !named.includes(name)) continue;
  for (const result of [await bench.run()].flat()) print(result);
}
