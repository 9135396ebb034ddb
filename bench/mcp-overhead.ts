// What the MCP hooks cost a server: an in-memory `tools/call` round trip with the MCP SDK 1.x, bare
// against instrumented (instrumentMcpServer -> `mcp` receiver -> no-op exporter), both pairs in one
// process, in alternating blocks timed by the process's CPU time (the hooks' deferred recording
// included; on a shared machine wall time would count other processes). Then what carrying the
// OpenTelemetry context costs once something reads it: per request, and for every promise in the
// process (an unrelated async workload).
import { context } from '@opentelemetry/api';
import { instrumentMcpServer } from '../plugins/receivers/mcp/instrument.js';
import type { Result } from './report.js';
import {
  BLOCK,
  connectEcho,
  count,
  ECHO_REQUEST,
  noopPipeline,
  perCallUs,
  rounds,
  type Side,
  side,
  summary,
} from './round-trips.js';

const TARGET_RATIO = 1.15;
const TARGET_ADDED_US = 1;

const MODES = [
  { name: 'back to back', turnPerCall: false, propagating: false, warmupMs: 1_500, measureMs: 5_000 },
  {
    name: 'one call per event-loop turn (as over stdio or HTTP)',
    turnPerCall: true,
    propagating: false,
    warmupMs: 500,
    measureMs: 3_000,
  },
  {
    name: 'back to back, after something read the active context (handlers run in the request context)',
    turnPerCall: false,
    propagating: true,
    warmupMs: 500,
    measureMs: 3_000,
  },
] as const;
type Mode = (typeof MODES)[number];

export async function run(): Promise<Result[]> {
  const { pipeline, exported } = await noopPipeline();
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const bareClient = await connectEcho((server) => server);
  const instrumentedClient = await connectEcho((server) => instrumentMcpServer(server, pipeline.engine));

  const workloadBefore = await asyncWorkloadUs();
  let workloadAfter = workloadBefore;
  const measured: { mode: Mode; bare: Side; instrumented: Side }[] = [];
  for (const mode of MODES) {
    // What handler code does when it starts a span or reads the active one: from now on the
    // context manager instrumentMcpServer registered carries contexts (AsyncLocalStorage).
    if (mode.propagating) context.active();
    const bare = side('bare: McpServer + Client', () => bareClient.callTool(ECHO_REQUEST));
    const instrumented = side('instrumented: instrumentMcpServer -> mcp -> no-op exporter', () =>
      instrumentedClient.callTool(ECHO_REQUEST),
    );
    await rounds([bare, instrumented], mode.warmupMs, false, mode.turnPerCall);
    gc();
    await rounds([bare, instrumented], mode.measureMs, true, mode.turnPerCall);
    measured.push({ mode, bare, instrumented });
    if (mode.propagating) workloadAfter = await asyncWorkloadUs();
  }

  await Promise.all([bareClient.close(), instrumentedClient.close()]);
  await pipeline.shutdown();
  // Every call the instrumented server served is a span: fewer means the hooks were not measured.
  const instrumentedCalls = measured.reduce((sum, m) => sum + m.instrumented.calls, 0);
  if (exported.traces < instrumentedCalls) {
    throw new Error(
      `the no-op exporter got ${exported.traces} spans for ${instrumentedCalls} instrumented calls`,
    );
  }

  return measured.map(({ mode, bare, instrumented }) => {
    const ratio = perCallUs(instrumented) / perCallUs(bare);
    const added = perCallUs(instrumented) - perCallUs(bare);
    const notes = [
      `CPU time per call: bare ${perCallUs(bare).toFixed(2)} µs, instrumented ${perCallUs(instrumented).toFixed(2)} µs, added ${signed(added)} µs (node ${process.version})`,
      `targets: ratio <= ${TARGET_RATIO}: ${met(ratio <= TARGET_RATIO)}; added <= ${TARGET_ADDED_US} µs: ${met(added <= TARGET_ADDED_US)}`,
    ];
    if (mode.propagating) {
      notes.push(
        `an unrelated async workload (1,000 awaits): ${workloadBefore.toFixed(1)} µs before the context was read, ${workloadAfter.toFixed(1)} µs after (${signed(((workloadAfter - workloadBefore) / workloadBefore) * 100)}%): what AsyncLocalStorage costs every promise in the process on this Node`,
        `exported to the no-op exporter in all: ${count(exported.traces)} spans, ${count(exported.logs)} log records, ${exported.metrics} metric batches`,
      );
    }
    return {
      title: `tools/call round trips per CPU second, MCP SDK 1.x in memory, ${mode.name}: ${count(bare.calls)} + ${count(instrumented.calls)} calls in alternating blocks of ${count(BLOCK)}`,
      rows: [summary(bare), summary(instrumented)],
      ratio,
      ratioLabel: `instrumented / bare, CPU time per call over ${bare.blockMs.length} rounds`,
      notes,
    };
  });
}

/** CPU µs for 1,000 awaited promises (the median of 200 runs): a workload with nothing to do with MCP. */
async function asyncWorkloadUs(): Promise<number> {
  const step = async (i: number) => i;
  const runs: number[] = [];
  for (let r = 0; r < 300; r++) {
    const cpu = process.cpuUsage();
    let sum = 0;
    for (let i = 0; i < 1_000; i++) sum += await step(i);
    const used = process.cpuUsage(cpu);
    if (sum > 0 && r >= 100) runs.push(used.user + used.system);
  }
  runs.sort((a, b) => a - b);
  return runs[runs.length >> 1] ?? 0;
}

const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
