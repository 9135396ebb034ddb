// One evaluation cycle of 50 alert rules of the monitoring guide's kinds (error rate, p95 latency from
// histogram buckets, server down) over 10,000 series, each with 10 minutes of samples every 15s:
// Tributary's rule evaluator (PromQL engine, alert state machine, ALERTS series) against a hand-written
// loop that answers the same 50 questions over plain arrays (no PromQL, no staleness, no labels
// matching: the least work the answers need). promtool cannot run in-process, so that loop is the peer.
// Also: the memory the alertrules window holds for those samples.
// Alone, on any Node: npm run build && npx -y -p node@24 -- node --expose-gc dist/bench/run.js alert-eval
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GroupEvaluator, loadRuleFiles, retentionMs } from '../core/rules/index.js';
import { SeriesWindow } from '../core/rules/window.js';
import type { Result } from './report.js';

const STEP = 15_000;
const HISTORY = 40; // 10 minutes of samples: the 5m range plus the 5m lookback
const TOOLS = 2_000; // x2 statuses: 4,000 counter series
const HISTOGRAMS = 500; // x10 buckets: 5,000 bucket series
const INSTANCES = 1_000; // 1,000 up series
const SERIES = TOOLS * 2 + HISTOGRAMS * 10 + INSTANCES;
const BOUNDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Number.POSITIVE_INFINITY];
// Cumulative share of calls in each bucket: a fast method, and a slow one (most calls above 1s).
const FAST = [0.1, 0.3, 0.5, 0.7, 0.85, 0.95, 0.98, 0.99, 1, 1];
const SLOW = [0, 0, 0, 0, 0.01, 0.02, 0.3, 0.8, 0.95, 1];
const RATE_RULES = 20;
const QUANTILE_RULES = 15;
const DOWN_RULES = 15;
const RULES = RATE_RULES + QUANTILE_RULES + DOWN_RULES;
const CYCLES = 30;

const errorThreshold = (i: number) => 0.1 + i * 0.05;
const quantileOf = (i: number) => 0.5 + i * 0.03;

function ruleFile(): string {
  const rules: string[] = [];
  for (let i = 0; i < RATE_RULES; i++) {
    rules.push(`      - alert: HighErrorRate${i}
        expr: rate(mcp_tool_executions_total{status="error"}[5m]) > ${errorThreshold(i)}
        for: 2m
        labels: { severity: warning }
        annotations: { description: "Error rate is {{ $value }} errors per second" }`);
  }
  for (let i = 0; i < QUANTILE_RULES; i++) {
    rules.push(`      - alert: HighResponseTime${i}
        expr: histogram_quantile(${quantileOf(i)}, rate(mcp_request_duration_seconds_bucket[5m])) > 1
        for: 5m
        labels: { severity: warning }
        annotations: { description: "response time is {{ $value }} seconds" }`);
  }
  for (let i = 0; i < DOWN_RULES; i++) {
    rules.push(`      - alert: ServerDown${i}
        expr: up{job="mcp-server"} == 0
        for: ${i + 1}m
        labels: { severity: critical }`);
  }
  return `groups:\n  - name: bench\n    interval: 15s\n    rules:\n${rules.join('\n')}\n`;
}

/** The 10,000 series and how each grows per step: 1% of tools fail often, 1% of instances are down. */
interface Source {
  labels: Record<string, string>;
  /** Value at step n. */
  at(n: number): number;
}

function sources(): Source[] {
  const out: Source[] = [];
  for (let i = 0; i < TOOLS; i++) {
    const failing = i % 100 === 0;
    const base = { tool: `tool-${i}`, instance: `host-${i % INSTANCES}`, job: 'mcp-server' };
    out.push({
      labels: { __name__: 'mcp_tool_executions_total', ...base, status: 'error' },
      at: (n) => n * (failing ? 60 : 1),
    });
    out.push({
      labels: { __name__: 'mcp_tool_executions_total', ...base, status: 'success' },
      at: (n) => n * 100,
    });
  }
  for (let h = 0; h < HISTOGRAMS; h++) {
    const slow = h % 50 === 0;
    BOUNDS.forEach((le, b) => {
      const share = ((slow ? SLOW : FAST)[b] as number) * 100;
      out.push({
        labels: {
          __name__: 'mcp_request_duration_seconds_bucket',
          method: `method-${h}`,
          instance: `host-${h % INSTANCES}`,
          job: 'mcp-server',
          le: le === Number.POSITIVE_INFINITY ? '+Inf' : String(le),
        },
        at: (n) => n * share,
      });
    });
  }
  for (let k = 0; k < INSTANCES; k++) {
    const down = k % 100 === 0;
    out.push({
      labels: { __name__: 'up', job: 'mcp-server', instance: `host-${k}` },
      at: () => (down ? 0 : 1),
    });
  }
  return out;
}

/** The peer: the same 50 answers from plain arrays of the last window's values. */
function handWritten(values: Float64Array[], src: Source[], n: number): number {
  let firing = 0;
  const first = Math.max(0, n - 20); // the 5m window at 15s steps
  const seconds = (n - first) * (STEP / 1000);
  const rates = new Float64Array(src.length);
  for (let s = 0; s < src.length; s++) {
    const v = values[s] as Float64Array;
    rates[s] = ((v[n % HISTORY] as number) - (v[first % HISTORY] as number)) / seconds;
  }
  for (let i = 0; i < RATE_RULES; i++) {
    const threshold = errorThreshold(i);
    for (let s = 0; s < TOOLS * 2; s += 2) if ((rates[s] as number) > threshold) firing++;
  }
  for (let i = 0; i < QUANTILE_RULES; i++) {
    const q = quantileOf(i);
    for (let h = 0; h < HISTOGRAMS; h++) {
      const base = TOOLS * 2 + h * BOUNDS.length;
      const total = rates[base + BOUNDS.length - 1] as number;
      const rank = q * total;
      let b = 0;
      while (b < BOUNDS.length - 1 && (rates[base + b] as number) < rank) b++;
      const upper = BOUNDS[b] as number;
      const lower = b === 0 ? 0 : (BOUNDS[b - 1] as number);
      const below = b === 0 ? 0 : (rates[base + b - 1] as number);
      const inBucket = (rates[base + b] as number) - below;
      const value =
        upper === Number.POSITIVE_INFINITY ? lower : lower + ((upper - lower) * (rank - below)) / inBucket;
      if (value > 1) firing++;
    }
  }
  for (let i = 0; i < DOWN_RULES; i++) {
    for (let k = 0; k < INSTANCES; k++) {
      const v = values[TOOLS * 2 + HISTOGRAMS * BOUNDS.length + k] as Float64Array;
      if (v[n % HISTORY] === 0) firing++;
    }
  }
  return firing;
}

function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

export async function run(): Promise<Result> {
  const dir = await mkdtemp(join(tmpdir(), 'alert-eval-'));
  try {
    await writeFile(join(dir, 'bench.rules.yaml'), ruleFile());
    const [group] = await loadRuleFiles(['bench.rules.yaml'], { baseDir: dir });
    if (!group) throw new Error('the bench rule file has no group');
    const src = sources();
    if (src.length !== SERIES) throw new Error(`expected ${SERIES} series, made ${src.length}`);

    const before = heapUsed();
    // The alertrules window as the connector sizes it: the rules' longest range plus the lookback.
    const storage = new SeriesWindow({
      retentionMs: retentionMs([group]),
      maxSeries: 50_000,
      maxSamplesPerSeries: 1_000,
    });
    for (let n = 0; n < HISTORY; n++) for (const s of src) storage.append(s.labels, n * STEP, s.at(n));
    const held = heapUsed() - before;

    const evaluator = new GroupEvaluator(group, { storage, intervalMs: STEP });
    const values = src.map((s) => Float64Array.from({ length: HISTORY }, (_, n) => s.at(n)));
    const ours: number[] = [];
    const peer: number[] = [];
    let firing = 0;
    for (let c = 0; c < CYCLES; c++) {
      const n = HISTORY + c;
      for (const [i, s] of src.entries()) {
        storage.append(s.labels, n * STEP, s.at(n));
        (values[i] as Float64Array)[n % HISTORY] = s.at(n);
      }
      let start = performance.now();
      const evaluation = evaluator.evaluate(n * STEP);
      ours.push(performance.now() - start);
      firing = evaluation.alerts.length;
      start = performance.now();
      const expected = handWritten(values, src, n);
      peer.push(performance.now() - start);
      if (firing !== expected)
        throw new Error(`the evaluator has ${firing} alerts, the hand-written loop ${expected}`);
    }
    // The first cycles warm the JIT up; the median of the rest is the figure.
    const median = (xs: number[]) =>
      [...xs.slice(5)].sort((a, b) => a - b)[Math.floor((xs.length - 5) / 2)] as number;
    const oursMs = median(ours);
    const peerMs = median(peer);
    const pairs = SERIES * RULES;
    return {
      title: `Alert rule evaluation: ${RULES} rules (error rate, p95 latency, server down) over ${SERIES.toLocaleString('en-US')} series, one cycle (Node ${process.versions.node})`,
      rows: [
        { name: 'tributary: GroupEvaluator (PromQL + alert state)', perSecond: (pairs * 1000) / oursMs },
        { name: 'hand-written loop over arrays (same 50 answers)', perSecond: (pairs * 1000) / peerMs },
      ],
      ratio: oursMs / peerMs,
      ratioLabel:
        'tributary time / hand-written time: the price of PromQL and the alert state; series-rules per second above',
      notes: [
        `tributary: ${oursMs.toFixed(1)} ms per cycle, ${((oursMs * 1e6) / pairs).toFixed(1)} ns per series-rule (${SERIES} series x ${RULES} rules), ${firing} alerts pending or firing`,
        `hand-written: ${peerMs.toFixed(2)} ms per cycle, ${((peerMs * 1e6) / pairs).toFixed(2)} ns per series-rule`,
        `window: ${(SERIES * HISTORY).toLocaleString('en-US')} samples (10 minutes at 15s), ${(held / 2 ** 20).toFixed(1)} MiB of heap, ${(held / (SERIES * HISTORY)).toFixed(1)} bytes per sample`,
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
