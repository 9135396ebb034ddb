import type { Bench } from 'tinybench';

export interface Result {
  title: string;
  rows: { name: string; perSecond: number }[];
  /** Ours divided by the peer's: above 1 means we are faster. */
  ratio: number;
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

export function print(result: Result): void {
  process.stdout.write(`\n${result.title}\n`);
  for (const row of result.rows)
    process.stdout.write(
      `  ${row.name.padEnd(60)} ${Math.round(row.perSecond).toLocaleString('en-US').padStart(14)} /s\n`,
    );
  process.stdout.write(`  ratio (tributary / peer): ${result.ratio.toFixed(2)}x\n`);
}
