// `npm run bench`: every benchmark, ours next to its peer in one process, with the ratio printed.
import 'reflect-metadata';
import * as alertEval from './alert-eval.js';
import * as mcpOverhead from './mcp-overhead.js';
import * as percentiles from './percentiles.js';
import * as pipelineBatch from './pipeline-batch.js';
import * as prometheusScrape from './prometheus-scrape.js';
import { print, type Result } from './report.js';
import * as soak from './soak.js';

const benchmarks: { run(): Promise<Result | Result[]> }[] = [
  pipelineBatch,
  mcpOverhead,
  prometheusScrape,
  percentiles,
  alertEval,
  soak,
];
for (const bench of benchmarks) for (const result of [await bench.run()].flat()) print(result);
