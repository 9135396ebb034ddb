// Latency streams (seconds) with known shapes, seeded so that a run replays; shared by
// bench/percentiles and the percentiles connector's tests.

/** A seeded uniform generator on (0, 1). */
export function random(seed: number): () => number {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return (seed + 0.5) / 2 ** 32;
  };
}

const normal = (rnd: () => number) => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());

/** One latency from each shape: 1 ms to 1 s flat, a lognormal around 50 ms, fast calls with a slow 20%. */
export const latencyStreams: Record<'uniform' | 'lognormal' | 'bimodal', (rnd: () => number) => number> = {
  uniform: (rnd) => 0.001 + rnd() * 0.999,
  lognormal: (rnd) => Math.exp(Math.log(0.05) + normal(rnd)),
  bimodal: (rnd) => (rnd() < 0.8 ? 0.01 + rnd() * 0.01 : 0.5 + rnd() * 0.5),
};

/** The value at rank floor(q * (n - 1)) of sorted samples: the rank DDSketch answers for. */
export const exactQuantile = (sorted: readonly number[], q: number) =>
  sorted[Math.floor(q * (sorted.length - 1))] as number;
