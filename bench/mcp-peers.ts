// Tributary's MCP hooks next to the other MCP server instrumentations: the same in-memory
// `tools/call` echo bare, with Tributary, with Sentry's wrapMcpServerWithSentry, with Traceloop's and
// with OpenInference's MCP instrumentation, each to a sink that only counts. Measured twice: all in
// one process in alternating blocks (machine noise hits all alike, but their global OpenTelemetry
// state meets), and each in a process of its own (bench/mcp-peer-process). Time is CPU time per call,
// each block's deferred work included; the spans each recorded are counted, so one that records
// nothing is reported as such.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CONTENDERS, type Contender, type Running } from './mcp-contenders.js';
import type { Result, Row } from './report.js';
import { count, perCallUs, rounds, type Side, side, summary } from './round-trips.js';

const WARMUP_MS = 2_000;
const MEASURE_MS = 8_000;

interface Measured {
  name: string;
  label: string;
  calls: number;
  /** Round trips made in all, warm-up included: what the spans are counted against. */
  made: number;
  perCallUs: number;
  /** CPU time per call over bare's, and the difference. */
  ratio: number;
  added: number;
  spans: number;
  row: Row;
}

export async function run(): Promise<Result[]> {
  return [await oneProcess(), processEach()];
}

async function oneProcess(): Promise<Result> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const started: { running: Running; side: Side }[] = [];
  for (const contender of CONTENDERS) {
    const running = await contender.start();
    started.push({ running, side: side(contender.name, running.call) });
  }
  const sides = started.map((s) => s.side);
  await rounds(sides, WARMUP_MS, false, false);
  gc();
  await rounds(sides, MEASURE_MS, true, false);
  for (const { running } of started) await running.stop();
  const bare = sides[0] as Side;
  const measured = started.map(({ running, side: s }, n) => ({
    name: s.name,
    label: CONTENDERS[n]?.label ?? '',
    calls: s.calls,
    made: running.calls(),
    perCallUs: perCallUs(s),
    ratio: perCallUs(s) / perCallUs(bare),
    added: perCallUs(s) - perCallUs(bare),
    spans: running.spans(),
    row: summary(s),
  }));
  return table(
    `MCP server instrumentations, one process, alternating blocks (node ${process.version})`,
    measured,
  );
}

/**
 * Each contender in a process of its own, a bare process before and after each: a contender is
 * compared with the mean of the two bare runs next to it in time, as the load of a shared machine
 * drifts between runs.
 */
function processEach(): Result {
  const [bare, ...others] = CONTENDERS as [Contender, ...Contender[]];
  const bareRuns = [measureInProcess(bare)];
  const measured: Measured[] = [];
  for (const contender of others) {
    const m = measureInProcess(contender);
    const after = measureInProcess(bare);
    const baseline = ((bareRuns.at(-1)?.perCallUs ?? Number.NaN) + after.perCallUs) / 2;
    bareRuns.push(after);
    measured.push({ ...m, ratio: m.perCallUs / baseline, added: m.perCallUs - baseline });
  }
  const bareUs = bareRuns.reduce((sum, r) => sum + r.perCallUs, 0) / bareRuns.length;
  const bareRow: Measured = {
    ...(bareRuns[0] as Measured),
    calls: bareRuns.reduce((sum, r) => sum + r.calls, 0),
    made: bareRuns.reduce((sum, r) => sum + r.made, 0),
    perCallUs: bareUs,
    row: { ...(bareRuns[0] as Measured).row, perSecond: 1e6 / bareUs },
  };
  return table(
    `MCP server instrumentations, one process each, each between two bare ones (node ${process.version})`,
    [bareRow, ...measured],
  );
}

function measureInProcess(contender: Contender): Measured {
  const entry = fileURLToPath(new URL('./mcp-peer-process.js', import.meta.url));
  const child = spawnSync(process.execPath, [...process.execArgv, entry, contender.name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !line.startsWith('{'))
    throw new Error(`the ${contender.name} process failed (exit ${child.status}): ${line}`);
  const result = JSON.parse(line) as {
    calls: number;
    made: number;
    perCallUs: number;
    perSecond: number;
    latencyUs: { p50: number; p99: number };
    spans: number;
  };
  return {
    name: contender.name,
    label: contender.label,
    calls: result.calls,
    made: result.made,
    perCallUs: result.perCallUs,
    ratio: 1,
    added: 0,
    spans: result.spans,
    row: { name: contender.name, perSecond: result.perSecond, latencyUs: result.latencyUs },
  };
}

function table(title: string, measured: Measured[]): Result {
  const bare = measured[0] as Measured;
  const tributary = measured.find((m) => m.name === 'tributary') as Measured;
  const lines = [
    `${'contender'.padEnd(14)} ${'µs/call'.padStart(8)} ${'added µs'.padStart(9)} ${'ratio'.padStart(6)}  spans recorded`,
    ...measured.map(
      (m) =>
        `${m.name.padEnd(14)} ${m.perCallUs.toFixed(2).padStart(8)} ${(m === bare ? '' : signed(m.added)).padStart(9)} ${(m === bare ? '' : `${m.ratio.toFixed(2)}x`).padStart(6)}  ${m === bare ? '(none expected)' : spansNote(m)}`,
    ),
    ...measured.map((m) => `  ${m.name}: ${m.label}`),
  ];
  return {
    title: `${title}: tools/call per CPU second, in-memory MCP SDK 1.x`,
    rows: measured.map((m) => m.row),
    ratio: tributary.ratio,
    ratioLabel: 'tributary / bare, CPU time per call',
    notes: lines,
  };
}

function spansNote(m: Measured): string {
  if (m.spans === 0) return `0 spans for ${count(m.made)} calls: records nothing for them`;
  return `${count(m.spans)} for ${count(m.made)} calls (warm-up included)`;
}

const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
