// Timing MCP round trips side by side (bench/mcp-overhead, bench/mcp-peers): each side is a client
// calling a tool, run in blocks that alternate between the sides so machine noise, JIT and GC drift
// hit every side alike.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Exporter } from '../core/component.js';
import { definePlugin } from '../core/plugin.js';
import type { Signal } from '../core/signals.js';
import { type RunningPipeline, startPipeline } from '../core/testing/index.js';
import { builtins } from '../plugins/index.js';
import type { Row } from './report.js';

/**
 * Calls per block; a round is one block of each side, the order of the sides reversing each round.
 * The first calls after a switch run on cold caches and on the other side's GC debt: long blocks keep
 * that a small share of any side.
 */
export const BLOCK = 1_000;
/** Room for every measured call of one side. */
const MAX_CALLS = 400_000;
/**
 * After a block, the time given to what it deferred (the hooks record a few milliseconds later), so
 * it is charged to the block that caused it. The wait itself costs no CPU.
 */
const SETTLE_MS = 5;

/** One side's measured calls. */
export interface Side {
  name: string;
  call: () => Promise<unknown>;
  /** Each measured round trip, in ms of wall time. */
  latencies: Float64Array;
  calls: number;
  /** The process's CPU time over each measured block, in ms, its deferred work included. */
  blockMs: number[];
}

export function side(name: string, call: () => Promise<unknown>): Side {
  return { name, call, latencies: new Float64Array(MAX_CALLS), calls: 0, blockMs: [] };
}

/** Alternating blocks of each side until `ms` have passed. */
export async function rounds(
  sides: Side[],
  ms: number,
  record: boolean,
  turnPerCall: boolean,
): Promise<void> {
  const until = performance.now() + ms;
  for (let round = 0; performance.now() < until; round++) {
    if (record && sides.some((s) => s.calls + BLOCK > MAX_CALLS)) return;
    for (const s of round % 2 === 0 ? sides : [...sides].reverse()) await block(s, record, turnPerCall);
  }
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/**
 * One block of calls. Back to back, an in-memory round trip never leaves the microtask queue; with
 * `turnPerCall` each call gets an event-loop turn of its own, as over stdio or HTTP.
 */
async function block(side: Side, record: boolean, turnPerCall: boolean): Promise<void> {
  const cpu = process.cpuUsage();
  for (let n = 0; n < BLOCK; n++) {
    const t0 = performance.now();
    await side.call();
    const elapsed = performance.now() - t0;
    if (record) side.latencies[side.calls++] = elapsed;
    if (turnPerCall) await turn();
  }
  await settle();
  const used = process.cpuUsage(cpu);
  if (record) side.blockMs.push((used.user + used.system) / 1000);
}

/** Calls per CPU second over the whole run and the per-call wall-time latency percentiles. */
export function summary(side: Side): Row & { latencyUs: { p50: number; p99: number } } {
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

/**
 * CPU µs per call over all measured blocks: the mean, with every collection the calls caused in it.
 * (A median block would leave out the few blocks where a full collection lands, which for a side
 * that allocates little are most of what it costs.)
 */
export const perCallUs = (side: Side) => (side.blockMs.reduce((sum, ms) => sum + ms, 0) / side.calls) * 1000;

export const count = (n: number) => n.toLocaleString('en-US');

export const ECHO_REQUEST = { name: 'echo', arguments: { text: 'hello' } };

/**
 * A McpServer (SDK 1.x) with one trivial tool, linked in memory to a Client; `wrap` may instrument
 * the server. Checks one call's answer before it is measured.
 */
export async function connectEcho(
  wrap: (server: McpServer) => McpServer | Promise<McpServer>,
): Promise<Client> {
  const server = await wrap(new McpServer({ name: 'bench-server', version: '1.0.0' }));
  server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  const client = new Client({ name: 'bench-client', version: '1.0.0' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  const result = await client.callTool(ECHO_REQUEST);
  if (JSON.stringify(result.content) !== '[{"type":"text","text":"hello"}]') {
    throw new Error(`unexpected tools/call result ${JSON.stringify(result)}`);
  }
  return client;
}

/** Tributary's engine with the `mcp` receiver in all three pipelines, each to a no-op exporter that counts. */
export async function noopPipeline(): Promise<{
  pipeline: RunningPipeline;
  exported: Record<Signal, number>;
}> {
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
  const pipeline = await startPipeline(NOOP_CONFIG, { plugins: [...builtins, noop] });
  return { pipeline, exported };
}

const NOOP_CONFIG = `receivers: { mcp: {} }
exporters: { noop: }
service:
  pipelines:
    traces: { receivers: [mcp], exporters: [noop] }
    metrics: { receivers: [mcp], exporters: [noop] }
    logs: { receivers: [mcp], exporters: [noop] }
`;
