import type { Bench } from 'tinybench';

export interface Row {
  name: string;
  perSecond: number;
  /** Round-trip latency percentiles, for benchmarks that time each operation themselves. */
  latencyUs?: { p50: number; p99: number };
}

export interface Result {
  title: string;
  rows: Row[];
  /** Ours divided by the peer's: above 1 means we are faster, unless `ratioLabel` says otherwise. */
  ratio: number;
  /** What the ratio divides; default `tributary / peer`. */
  ratioLabel?: string;
  /** Lines printed after the ratio: further figures, the targets and whether they are met. */
  notes?: string[];
}

/** Items per second of the first task (ours) and the second (the peer), and their ratio. */
export function ratioLine(title: string, bench: Bench, itemsPerOp: number): Result {
  const rows = bench.tasks.map((t) => {
    const result = t.result as { state?: string; throughput?: { mean: number }; error?: Error };
    if (result.error) throw result.error;
    return { name: t.name, perSecond: (result.throughput?.mean ?? 0) * itemsPerOp };
  });
  const [ours, peer] = rows;
  return { title, rows, ratio: (ours?.perSecond ?? 0) / (peer?.perSecond ?? 1) };
}

const us = (value: number) => `${value.toFixed(1).padStart(8)} µs`;

export function print(result: Result): void {
  process.stdout.write(`\n${result.title}\n`);
  for (const row of result.rows) {
    const latency = row.latencyUs ? `   p50 ${us(row.latencyUs.p50)}   p99 ${us(row.latencyUs.p99)}` : '';
    process.stdout.write(
      `  ${row.name.padEnd(60)} ${Math.round(row.perSecond).toLocaleString('en-US').padStart(14)} /s${latency}\n`,
    );
  }
  process.stdout.write(`  ratio (${result.ratioLabel ?? 'tributary / peer'}): ${result.ratio.toFixed(2)}x\n`);
  for (const note of result.notes ?? []) process.stdout.write(`  ${note}\n`);
}
