// The fast-check settings every fuzz property shares. `npm test` runs each property a bounded number
// of times from a fixed seed, so a run is repeatable; `npm run fuzz` runs them longer (FUZZ_RUNS) and
// FUZZ_SEED replays a failure that fast-check reported.
import type { Parameters } from 'fast-check';

const SEED = 20261129;
const scale = Number(process.env.FUZZ_RUNS ?? 0) || 0;

/**
 * `runs` is how many cases `npm test` tries; under `npm run fuzz` FUZZ_RUNS replaces it (scaled down
 * by `cost` for properties that start a process or a server per case).
 */
export function fuzzSettings<T>(runs: number, cost = 1): Parameters<T> {
  return {
    seed: Number(process.env.FUZZ_SEED ?? SEED),
    numRuns: scale > 0 ? Math.max(runs, Math.ceil(scale / cost)) : runs,
    verbose: 1,
  };
}

/** A timeout for a property test that grows with FUZZ_RUNS (vitest's per-test timeout). */
export function fuzzTimeout(runs: number, cost = 1, msPerRun = 5): number {
  const numRuns = fuzzSettings(runs, cost).numRuns ?? runs;
  return 30_000 + numRuns * cost * msPerRun;
}
