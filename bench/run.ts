// `npm run bench`: every benchmark, ours next to its peer in one process, with the ratio printed.
import 'reflect-metadata';
import * as pipelineBatch from './pipeline-batch.js';
import { print } from './report.js';

for (const bench of [pipelineBatch]) print(await bench.run());
