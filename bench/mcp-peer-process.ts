// One contender of bench/mcp-peers alone in this process: `node mcp-peer-process.js NAME`. Prints
// its measurement as one JSON line on stdout.
import 'reflect-metadata';
import { CONTENDERS } from './mcp-contenders.js';
import { perCallUs, rounds, side, summary } from './round-trips.js';

const WARMUP_MS = 1_000;
const MEASURE_MS = 3_000;

const name = process.argv[2];
const contender = CONTENDERS.find((c) => c.name === name);
if (!contender) {
  process.stderr.write(`unknown contender ${name}; known: ${CONTENDERS.map((c) => c.name).join(', ')}\n`);
  process.exit(2);
}
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const runningContender = await contender.start();
const measured = side(contender.name, runningContender.call);
await rounds([measured], WARMUP_MS, false, false);
gc();
await rounds([measured], MEASURE_MS, true, false);
await runningContender.stop();
const { latencyUs, perSecond } = summary(measured);
process.stdout.write(
  `${JSON.stringify({ name, calls: measured.calls, made: runningContender.calls(), perCallUs: perCallUs(measured), perSecond, latencyUs, spans: runningContender.spans() })}\n`,
);
process.exit(0);
