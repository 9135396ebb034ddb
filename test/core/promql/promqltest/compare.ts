/** Compares a query's result with a case's expectation the way promqltest's compareResult does. */
import { formatLabels, labelsKey } from '../../../../core/promql/labels.js';
import { isStaleNaN } from '../../../../core/promql/stale.js';
import type { Labels, Value } from '../../../../core/promql/types.js';
import type { Eval, Expected } from './script.js';

const EPSILON = 0.000001;
const MIN_NORMAL = 2.2250738585072014e-308;

/** util/almost.Equal: relative epsilon, NaN equals NaN, a staleness marker only equals another. */
export function almostEqual(a: number, b: number): boolean {
  if (isStaleNaN(a) || isStaleNaN(b)) return isStaleNaN(a) && isStaleNaN(b);
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < EPSILON * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < EPSILON;
}

/** labels.Compare: pairwise by sorted name, then value; a prefix sorts first. */
export function compareLabels(a: Labels, b: Labels): number {
  const an = Object.keys(a).sort();
  const bn = Object.keys(b).sort();
  for (let i = 0; i < Math.min(an.length, bn.length); i++) {
    const [x, y] = [an[i] as string, bn[i] as string];
    if (x !== y) return x < y ? -1 : 1;
    const [xv, yv] = [a[x] as string, b[y] as string];
    if (xv !== yv) return xv < yv ? -1 : 1;
  }
  return an.length - bn.length;
}

/** Where the expected values of a matrix start and step: the range query's, or `expect range vector`'s. */
interface Grid {
  readonly start: number;
  readonly end: number;
  readonly step: number;
}

/** Throws an Error saying what differs; returns when the result is what the case expects. */
export function compareResult(c: Eval, result: Value, grid: Grid, ordered: boolean): void {
  const expected = new Map<string, Expected>(c.expected.map((e) => [labelsKey(e.labels), e]));
  switch (result.type) {
    case 'matrix': {
      if (ordered) throw new Error('expected ordered result, but query returned a matrix');
      if (c.expectScalar !== undefined) throw new Error('expected scalar result, but got matrix');
      result.series.forEach((s, i) => {
        const next = result.series[i + 1];
        if (next && compareLabels(s.labels, next.labels) > 0)
          throw new Error(
            `matrix results should always be sorted by labels: ${formatLabels(next.labels)} after ${formatLabels(s.labels)}`,
          );
      });
      const seen = new Set<string>();
      for (const s of result.series) {
        const key = labelsKey(s.labels);
        const exp = expected.get(key);
        const has = s.points.map((p) => `${p.v}@${p.t}`).join(' ');
        if (!exp) throw new Error(`unexpected metric ${formatLabels(s.labels)} in result, has ${has}`);
        seen.add(key);
        const points: { t: number; v: number }[] = [];
        exp.values.forEach((v, i) => {
          const t = grid.start + i * grid.step;
          if (t > grid.end)
            throw new Error(
              `expected ${exp.values.length} points for ${formatLabels(exp.labels)}, but query time range cannot return this many points`,
            );
          if (v !== undefined) points.push({ t, v });
        });
        if (points.length !== s.points.length)
          throw new Error(
            `expected ${points.length} float points for ${formatLabels(exp.labels)}, but got ${has}`,
          );
        points.forEach((p, i) => {
          const actual = s.points[i] as { t: number; v: number };
          if (p.t !== actual.t)
            throw new Error(
              `expected float value at index ${i} for ${formatLabels(exp.labels)} to have timestamp ${p.t}, but it had timestamp ${actual.t} (result has ${has})`,
            );
          if (!almostEqual(actual.v, p.v))
            throw new Error(
              `expected float value at index ${i} (t=${actual.t}) for ${formatLabels(exp.labels)} to be ${p.v}, but got ${actual.v} (result has ${has})`,
            );
        });
      }
      for (const [key, exp] of expected)
        if (!seen.has(key)) throw new Error(`expected metric ${formatLabels(exp.labels)} not found`);
      return;
    }
    case 'vector': {
      if (c.expectScalar !== undefined) throw new Error('expected scalar result, but got vector');
      const seen = new Set<string>();
      result.samples.forEach((s, i) => {
        const key = labelsKey(s.labels);
        const exp = expected.get(key);
        if (!exp) throw new Error(`unexpected metric ${formatLabels(s.labels)} in result, has value ${s.v}`);
        if (ordered && exp.pos !== i + 1)
          throw new Error(
            `expected metric ${formatLabels(s.labels)} at position ${exp.pos} but was at ${i + 1}`,
          );
        const want = exp.values[0];
        if (want === undefined || !almostEqual(want, s.v))
          throw new Error(`expected ${want} for ${formatLabels(s.labels)} but got ${s.v}`);
        seen.add(key);
      });
      for (const [key, exp] of expected)
        if (!seen.has(key))
          throw new Error(
            `expected metric ${formatLabels(exp.labels)} with ${exp.values.join(' ')} not found`,
          );
      return;
    }
    case 'scalar':
      if (c.expectScalar === undefined)
        throw new Error(`expected vector or matrix result, but got scalar ${result.v}`);
      if (!almostEqual(c.expectScalar, result.v))
        throw new Error(`expected scalar ${c.expectScalar} but got ${result.v}`);
      return;
    case 'string':
      if (c.expectString !== result.v)
        throw new Error(`expected string "${c.expectString}" but got "${result.v}"`);
  }
}
