// Latency percentiles of the last 1000 samples: our sketch window (the percentiles connector's)
// against the guide's PerformanceMonitor (a deque sorted per query), hdr-histogram-js and a raw
// DDSketch, same samples, one process: record cost, query cost, and worst relative error.
import { DDSketch } from '@datadog/sketches-js';
import { build } from 'hdr-histogram-js';
import { LatencyWindow, quantileName } from '../plugins/connectors/percentiles/window.js';
import { exactQuantile, latencyStreams, random } from './latency-streams.js';
import type { Result } from './report.js';

const SAMPLES = 200_000;
const WINDOW = 1000;
const QUANTILES = [0.5, 0.95, 0.99];
/** Queries during a stream, each checked against the exact answer for the samples it covers. */
const CHECK_EVERY = 5_000;
const QUERIES = 2_000;

interface Contender {
  name: string;
  make(): { record(seconds: number): void; quantiles(): number[]; covers(total: number): number };
}

/** The guide's PerformanceMonitor: a deque of the last N values, sorted at every query (index int(n * q)). */
function guideWindow() {
  const values: number[] = [];
  let next = 0;
  return {
    record(seconds: number) {
      if (values.length < WINDOW) values.push(seconds);
      else values[next] = seconds;
      next = (next + 1) % WINDOW;
    },
    quantiles() {
      const sorted = [...values].sort((a, b) => a - b);
      return QUANTILES.map(
        (q) => sorted[Math.min(Math.floor(sorted.length * q), sorted.length - 1)] as number,
      );
    },
    covers: (total: number) => Math.min(total, WINDOW),
  };
}

const contenders: Contender[] = [
  {
    name: 'tributary: DDSketch window (6+1 sub-sketches, last 1000-1167)',
    make() {
      const window = new LatencyWindow({ samples: WINDOW }, 6, 0.005);
      let count = 0;
      return {
        record: (s) => window.record(s),
        quantiles() {
          const stats = window.stats(QUANTILES);
          count = stats?.count ?? 0;
          return QUANTILES.map((q) => stats?.[quantileName(q)] as number);
        },
        covers: () => count,
      };
    },
  },
  { name: 'guide: deque of the last 1000, sorted per query', make: guideWindow },
  {
    name: 'hdr-histogram-js 3 digits, ns (all samples, no window)',
    make() {
      const h = build({ numberOfSignificantValueDigits: 3 });
      return {
        record: (s) => h.recordValue(Math.round(s * 1e9)),
        quantiles: () => QUANTILES.map((q) => h.getValueAtPercentile(q * 100) / 1e9),
        covers: (total) => total,
      };
    },
  },
  {
    name: '@datadog/sketches-js DDSketch 0.005 (all samples, no window)',
    make() {
      const sketch = new DDSketch({ relativeAccuracy: 0.005 });
      return {
        record: (s) => sketch.accept(s),
        quantiles: () => QUANTILES.map((q) => sketch.getValueAtQuantile(q)),
        covers: (total) => total,
      };
    },
  },
];

const streams = Object.entries(latencyStreams).map(([shape, next]) => {
  const rnd = random(42);
  return { shape, samples: Float64Array.from({ length: SAMPLES }, () => next(rnd)) };
});

/** ns per recorded sample over every stream: the best of 3 runs. */
function recordCost(contender: Contender): number {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    let elapsed = 0n;
    for (const { samples } of streams) {
      const target = contender.make();
      const start = process.hrtime.bigint();
      for (const s of samples) target.record(s);
      elapsed += process.hrtime.bigint() - start;
    }
    best = Math.min(best, Number(elapsed) / (SAMPLES * streams.length));
  }
  return best;
}

/** µs per query (p50, p95 and p99 together) on a full window. */
function queryCost(contender: Contender): number {
  const target = contender.make();
  for (const s of (streams[0] as (typeof streams)[number]).samples.subarray(0, 10_000)) target.record(s);
  for (let i = 0; i < 100; i++) target.quantiles();
  const start = process.hrtime.bigint();
  for (let i = 0; i < QUERIES; i++) target.quantiles();
  return Number(process.hrtime.bigint() - start) / QUERIES / 1000;
}

/** The worst relative error of each quantile, per stream, over queries all along the stream. */
function worstErrors(contender: Contender): Record<string, number[]> {
  const errors: Record<string, number[]> = {};
  for (const { shape, samples } of streams) {
    const worst = QUANTILES.map(() => 0);
    const target = contender.make();
    for (let i = 0; i < SAMPLES; i++) {
      target.record(samples[i] as number);
      if ((i + 1) % CHECK_EVERY) continue;
      const got = target.quantiles();
      const held = Array.from(samples.subarray(i + 1 - target.covers(i + 1), i + 1)).sort((a, b) => a - b);
      for (const [j, q] of QUANTILES.entries()) {
        const truth = exactQuantile(held, q);
        worst[j] = Math.max(worst[j] as number, Math.abs((got[j] as number) - truth) / truth);
      }
    }
    errors[shape] = worst;
  }
  return errors;
}

export async function run(): Promise<Result> {
  const measured = contenders.map((c) => ({
    c,
    record: recordCost(c),
    query: queryCost(c),
    errors: worstErrors(c),
  }));
  const pct = (e: number) => `${(e * 100).toFixed(2)}%`.padStart(7);
  const notes = [
    `${'worst relative error, p50 / p95 / p99'.padEnd(60)} ${Object.keys(latencyStreams)
      .map((s) => s.padEnd(24))
      .join(' ')}`,
    ...measured.map(
      ({ c, errors }) =>
        `${c.name.padEnd(60)} ${Object.values(errors)
          .map((e) => e.map(pct).join(' ').padEnd(24))
          .join(' ')}`,
    ),
    'query cost (p50, p95, p99 at once, full window)',
    ...measured.map(({ c, query }) => `${c.name.padEnd(60)} ${query.toFixed(2).padStart(10)} µs/query`),
    'record cost',
    ...measured.map(({ c, record }) => `${c.name.padEnd(60)} ${record.toFixed(1).padStart(10)} ns/sample`),
    `exact = sorted[floor(q * (n - 1))] of the samples each one covers; ${SAMPLES} samples per shape, checked every ${CHECK_EVERY}`,
    "the guide's error is its rank, sorted[int(n * q)]: the next sample up, far off where samples are sparse (tails, gaps)",
  ];
  const [ours, guide] = measured;
  return {
    title: `latency percentiles of the last ${WINDOW} samples: record rate (${process.version})`,
    rows: measured.map(({ c, record }) => ({ name: c.name, perSecond: 1e9 / record })),
    ratio: (guide?.query ?? 0) / (ours?.query ?? 1),
    ratioLabel: 'guide query time / tributary query time',
    notes,
  };
}
