import type { Argument, Sample, Series } from '../types.js';

/** The evaluator gives each argument the type the signature declares; these read it as that type. */
export function vectorArg(args: readonly Argument[], i: number): readonly Sample[] {
  const a = args[i];
  if (a?.type !== 'vector') throw new TypeError(`argument ${i + 1} is not an instant vector`);
  return a.samples;
}

export function matrixArg(args: readonly Argument[], i: number): readonly Series[] {
  const a = args[i];
  if (a?.type !== 'matrix') throw new TypeError(`argument ${i + 1} is not a range vector`);
  return a.series;
}

export function scalarArg(args: readonly Argument[], i: number): number {
  const a = args[i];
  if (a?.type !== 'scalar') throw new TypeError(`argument ${i + 1} is not a scalar`);
  return a.v;
}

export function stringArg(args: readonly Argument[], i: number): string {
  const a = args[i];
  if (a?.type !== 'string') throw new TypeError(`argument ${i + 1} is not a string`);
  return a.v;
}
