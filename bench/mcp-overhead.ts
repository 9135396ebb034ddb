// What the MCP hooks cost a server: an in-memory `tools/call` round trip with the MCP SDK 1.x, bare
// against instrumented (instrumentMcpServer -> `mcp` receiver -> no-op exporter), both pairs in one
// process. Each call is timed on its own; bare and instrumented calls run in alternating blocks so
// machine noise, JIT and GC drift hit both sides alike.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Exporter } from '../core/component.js';
import { definePlugin } from '../core/plugin.js';
import type { Signal } from '../core/signals.js';
import { startPipeline } from '../core/testing/index.js';
import { builtins } from '../plugins/index.js';
import { instrumentMcpServer } from '../plugins/receivers/mcp/instrument.js';
import type { Result, Row } from './report.js';

const TARGET_RATIO = 1.15;
const TARGET_ADDED_P99_US = 20;
/**
 * Calls per block; a round is one block of each side, the side going first alternating (ABBA). The
 * first calls after a switch run on cold caches and on the other side's GC debt: long blocks keep
 * that a small share of either side.
 */
const BLOCK = 1_000;
/** Room for every measured call of one side: ~12 µs a bare round trip here, and half the time each. */
const MAX_CALLS = 400_000;

/**
 * Back to back, the in-memory round trip never leaves the microtask queue, so the hooks' hand-off to
 * the pipeline (once per event-loop turn) carries a whole block; over stdio or HTTP each request
 * arrives in a turn of its own and pays a hand-off of its own. Both are measured.
 */
const MODES = [
  { name: 'back to back', turnPerCall: false, warmupMs: 1_500, measureMs: 5_000 },
  {
    name: 'one call per event-loop turn (as over stdio or HTTP)',
    turnPerCall: true,
    warmupMs: 500,
    measureMs: 3_000,
  },
] as const;
type Mode = (typeof MODES)[number];
/** The bare pair alone, before anything is instrumented: what the process-wide context manager costs. */
const ALONE = { warmupMs: 500, measureMs: 1_500 };

const CONFIG = `receivers: { mcp: {} }
exporters: { noop: }
service:
  pipelines:
    traces: { receivers: [mcp], exporters: [noop] }
    metrics: { receivers: [mcp], exporters: [noop] }
    logs: { receivers: [mcp], exporters: [noop] }
`;

const REQUEST = { name: 'echo', arguments: { text: 'hello' } };

/** One client's measured calls in one mode. */
interface Side {
  name: string;
  client: Client;
  /** Each measured round trip, in ms. */
  latencies: Float64Array;
  calls: number;
  /** Wall time of each measured block, event-loop turns included (where the deferred hand-offs run). */
  blockMs: number[];
}

export async function run(): Promise<Result[]> {
  const exported: Record<Signal, number> = { traces: 0, metrics: 0, logs: 0 };
  const noopExporter = (signal: Signal): Exporter => ({
    start: async () => {},
    shutdown: async () => {},
    consume: async (batch) => {
      exported[signal] += batch.length;
    },
  });
  const noop = definePlugin({
    kind: 'exporter',
    type: 'noop',
    stability: { traces: 'development', metrics: 'development', logs: 'development' },
    config: z.strictObject({}),
    create: {
      traces: () => noopExporter('traces'),
      metrics: () => noopExporter('metrics'),
      logs: () => noopExporter('logs'),
    },
  });
  const pipeline = await startPipeline(CONFIG, { plugins: [...builtins, noop] });
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

  const bareClient = await connect((server) => server);
  // instrumentMcpServer sets the global AsyncLocalStorage context manager, which then taxes every
  // promise in the process, the bare pair's included: measure that pair once before it exists.
  const alone = side('bare, alone, before instrumenting (no context manager)', bareClient);
  await rounds([alone], ALONE.warmupMs, false, false);
  gc();
  await rounds([alone], ALONE.measureMs, true, false);

  const instrumentedClient = await connect((server) => instrumentMcpServer(server, pipeline.engine));
  const measured: { mode: Mode; bare: Side; instrumented: Side }[] = [];
  for (const mode of MODES) {
    const bare = side('bare: McpServer + Client', bareClient);
    const instrumented = side(
      'instrumented: instrumentMcpServer -> mcp -> no-op exporter',
      instrumentedClient,
    );
    await rounds([bare, instrumented], mode.warmupMs, false, mode.turnPerCall);
    gc();
    await rounds([bare, instrumented], mode.measureMs, true, mode.turnPerCall);
    measured.push({ mode, bare, instrumented });
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

  const before = summary(alone);
  return measured.map(({ mode, bare, instrumented }, n) => {
    const [b, i] = [summary(bare), summary(instrumented)];
    // The blocks of one round ran next to each other in time: their ratio is a paired sample, and the
    // median of those shrugs off another process's burst that hit only one side's block.
    const ratio = median(instrumented.blockMs.map((ms, k) => ms / (bare.blockMs[k] ?? Number.NaN)));
    const addedP50 = i.latencyUs.p50 - b.latencyUs.p50;
    const addedP99 = i.latencyUs.p99 - b.latencyUs.p99;
    const notes = [
      `target ratio <= ${TARGET_RATIO}: ${met(ratio <= TARGET_RATIO)}`,
      `added latency: p50 ${signed(addedP50)} µs, p99 ${signed(addedP99)} µs; target <= ${TARGET_ADDED_P99_US} µs at p99: ${met(addedP99 <= TARGET_ADDED_P99_US)}`,
    ];
    if (n === 0) {
      notes.push(
        `the global context manager slows every promise (node ${process.version}): bare ${perCallUs(alone)} µs a call alone before instrumenting, ${perCallUs(bare)} µs after (median blocks)`,
      );
    } else {
      notes.push(
        `exported to the no-op exporter in all: ${count(exported.traces)} spans, ${count(exported.logs)} log records, ${exported.metrics} metric batches`,
      );
    }
    return {
      title: `tools/call round trips/s, MCP SDK 1.x in memory, ${mode.name}: ${count(bare.calls)} + ${count(instrumented.calls)} calls in alternating blocks of ${count(BLOCK)}`,
      rows: [b, i, ...(n === 0 ? [before] : [])],
      ratio,
      ratioLabel: `instrumented / bare, mean time per call, median of ${bare.blockMs.length} paired rounds`,
      notes,
    };
  });
}

/** A McpServer with one trivial tool, linked in memory to a Client; `wrap` may instrument the server. */
async function connect(wrap: (server: McpServer) => McpServer): Promise<Client> {
  const server = wrap(new McpServer({ name: 'bench-server', version: '1.0.0' }));
  server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  const client = new Client({ name: 'bench-client', version: '1.0.0' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  const result = await client.callTool(REQUEST);
  if (JSON.stringify(result.content) !== '[{"type":"text","text":"hello"}]') {
    throw new Error(`unexpected tools/call result ${JSON.stringify(result)}`);
  }
  return client;
}

function side(name: string, client: Client): Side {
  return { name, client, latencies: new Float64Array(MAX_CALLS), calls: 0, blockMs: [] };
}

/** Alternating blocks of each side until `ms` have passed, the first side of a round swapping each round. */
async function rounds(sides: Side[], ms: number, record: boolean, turnPerCall: boolean): Promise<void> {
  const until = performance.now() + ms;
  for (let round = 0; performance.now() < until; round++) {
    if (record && sides.some((s) => s.calls + BLOCK > MAX_CALLS)) return;
    for (const s of round % 2 === 0 ? sides : [...sides].reverse()) await block(s, record, turnPerCall);
  }
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

async function block(side: Side, record: boolean, turnPerCall: boolean): Promise<void> {
  const started = performance.now();
  for (let n = 0; n < BLOCK; n++) {
    const t0 = performance.now();
    await side.client.callTool(REQUEST);
    const elapsed = performance.now() - t0;
    if (record) side.latencies[side.calls++] = elapsed;
    if (turnPerCall) await turn();
  }
  // Let what the block deferred (span and log hand-offs on setImmediate) run now, on this side's clock.
  if (!turnPerCall) await turn();
  if (record) side.blockMs.push(performance.now() - started);
}

/** Calls per second over the whole run (event-loop turns included) and the per-call latency percentiles. */
function summary(side: Side): Row & { latencyUs: { p50: number; p99: number } } {
  const sorted = side.latencies.subarray(0, side.calls).sort();
  const at = (q: number) =>
    (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0) * 1000;
  const totalMs = side.blockMs.reduce((sum, ms) => sum + ms, 0);
  return {
    name: side.name,
    perSecond: (side.calls / totalMs) * 1000,
    latencyUs: { p50: at(0.5), p99: at(0.99) },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
/** The median block's time per call, in µs. */
const perCallUs = (side: Side) => ((median(side.blockMs) / BLOCK) * 1000).toFixed(1);
const count = (n: number) => n.toLocaleString('en-US');
