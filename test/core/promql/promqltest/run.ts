/**
 * Runs one promqltest case as Prometheus's runner does: the instant query, then the same query with
 * `@ <eval time>` on every selector at five other times, then in range mode around the eval time;
 * or the range query. Throws an Error naming the first difference.
 */
import { evaluateInstant, evaluateRange } from '../../../../core/promql/engine/index.js';
import { MemoryStorage } from '../../../../core/promql/memory-storage.js';
import { parseExpr } from '../../../../core/promql/parse/index.js';
import { seriesPoints } from '../../../../core/promql/series-notation.js';
import type { Expr, Sample, Value } from '../../../../core/promql/types.js';
import { compareResult } from './compare.js';
import type { Command, Eval } from './script.js';

/** Functions whose result depends on the evaluation time even with `@` (promql.AtModifierUnsafeFunctions). */
const AT_UNSAFE = new Set([
  'days_in_month',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'end',
  'hour',
  'minute',
  'month',
  'year',
  'predict_linear',
  'range',
  'start',
  'step',
  'time',
  'timestamp',
]);
const QUERY_CONTEXT_FUNCTIONS = /(start|end|range|step)\(\)/;
/** promqltest's engine (NewTestEngine) runs with delayed `__name__` removal; the server's default is off. */
const PROMQLTEST_OPTIONS = { delayedNameRemoval: true } as const;

/** The storage of one test file, brought up to date command by command as its cases run in order. */
export class Session {
  private storage = new MemoryStorage();
  private applied = 0;
  constructor(private readonly commands: readonly Command[]) {}

  /** Applies every load and clear before command `index`. */
  advanceTo(index: number): MemoryStorage {
    for (; this.applied < index; this.applied++) {
      const c = this.commands[this.applied] as Command;
      if (c.kind === 'clear') this.storage = new MemoryStorage();
      if (c.kind === 'load')
        for (const s of c.series)
          for (const p of seriesPoints(s, 0, c.stepMs)) this.storage.append(s.labels, p.t, p.v);
    }
    return this.storage;
  }
}

export function runCase(c: Eval, storage: MemoryStorage): void {
  let expr: Expr;
  try {
    expr = parseExpr(c.expr);
  } catch (err) {
    if (!c.fail) throw err;
    expectedFailure(c, err);
    return;
  }
  if (c.range) {
    const result = evaluate(c, () =>
      evaluateRange(expr, storage, c.start, c.range?.end ?? 0, c.range?.step ?? 0, PROMQLTEST_OPTIONS),
    );
    if (result) compareResult(c, result, { start: c.start, end: c.range.end, step: c.range.step }, false);
    return;
  }
  const at = c.rangeVector ? c.rangeVector.end : c.start;
  const grid = c.rangeVector ?? { start: c.start, end: c.start, step: 0 };
  for (const [query, t] of instantQueries(expr, at)) {
    const result = evaluate(c, () => evaluateInstant(query, storage, t, PROMQLTEST_OPTIONS));
    if (!result) continue;
    compareResult(c, result, grid, c.ordered);
    if (c.rangeVector || c.expectString !== undefined || c.ordered || QUERY_CONTEXT_FUNCTIONS.test(c.expr))
      continue;
    compareRangeMode(c, query, storage, t, result);
  }
}

/** Undefined when the case expected this failure. */
function evaluate(c: Eval, run: () => Value): Value | undefined {
  let result: Value;
  try {
    result = run();
  } catch (err) {
    if (c.fail) return expectedFailure(c, err);
    throw err;
  }
  if (c.fail) throw new Error(`expected error evaluating query ${JSON.stringify(c.expr)} but got none`);
  return result;
}

function expectedFailure(c: Eval, err: unknown): undefined {
  const message = err instanceof Error ? err.message : String(err);
  if (c.failMessage !== undefined && c.failMessage !== message)
    throw new Error(`expected error ${JSON.stringify(c.failMessage)}, but got: ${message}`);
  if (c.failRegex && !c.failRegex.test(message))
    throw new Error(`expected error matching ${c.failRegex}, but got: ${message}`);
  return undefined;
}

/** The query at its time, then (unless a function reads the time) with `@ t` everywhere at other times. */
function instantQueries(expr: Expr, t: number): [Expr, number][] {
  const queries: [Expr, number][] = [[expr, t]];
  if (usesAtUnsafeFunction(expr)) return queries;
  const pinned = pinAt(expr, t);
  const times = t === 0 ? [-1000, 0, 1000] : [-10 * t, 0, Math.trunc(t / 5), t, 10 * t];
  for (const other of times) queries.push([pinned, other]);
  return queries;
}

function usesAtUnsafeFunction(e: Expr): boolean {
  return (e.kind === 'call' && AT_UNSAFE.has(e.func)) || childrenOf(e).some(usesAtUnsafeFunction);
}

function childrenOf(e: Expr): Expr[] {
  switch (e.kind) {
    case 'call':
      return [...e.args];
    case 'aggregate':
      return e.param ? [e.param, e.expr] : [e.expr];
    case 'binary':
      return [e.lhs, e.rhs];
    case 'unary':
    case 'paren':
    case 'subquery':
      return [e.expr];
    case 'matrix':
      return [e.vector];
    default:
      return [];
  }
}

/** Sets `@ t` on every selector and subquery without a timestamp, not descending into subqueries. */
function pinAt(e: Expr, t: number): Expr {
  const at = { kind: 'time' as const, ms: t };
  switch (e.kind) {
    case 'vector':
      return e.at?.kind === 'time' ? e : { ...e, at };
    case 'matrix':
      return e.vector.at?.kind === 'time' ? e : { ...e, vector: { ...e.vector, at } };
    case 'subquery':
      return e.at?.kind === 'time' ? e : { ...e, at };
    case 'call':
      return { ...e, args: e.args.map((a) => pinAt(a, t)) };
    case 'aggregate':
      return { ...e, expr: pinAt(e.expr, t), param: e.param && pinAt(e.param, t) };
    case 'binary':
      return { ...e, lhs: pinAt(e.lhs, t), rhs: pinAt(e.rhs, t) };
    case 'unary':
    case 'paren':
      return { ...e, expr: pinAt(e.expr, t) };
    default:
      return e;
  }
}

/** The same query as a range query from t-1m to t+1m step 1m: its middle step must equal the instant result. */
function compareRangeMode(c: Eval, query: Expr, storage: MemoryStorage, t: number, instant: Value): void {
  const result = evaluateRange(query, storage, t - 60_000, t + 60_000, 60_000, PROMQLTEST_OPTIONS);
  if (result.type !== 'matrix') throw new Error(`range mode: expected a matrix, got ${result.type}`);
  const samples: Sample[] = [];
  for (const s of result.series) {
    const p = s.points.find((point) => point.t === t);
    if (p) samples.push({ labels: s.labels, t, v: p.v });
  }
  const middle: Value =
    instant.type === 'scalar'
      ? { type: 'scalar', t, v: samples[0]?.v ?? Number.NaN }
      : { type: 'vector', samples };
  try {
    compareResult(c, middle, { start: t, end: t, step: 0 }, false);
  } catch (err) {
    throw new Error(`range mode: ${(err as Error).message}`);
  }
}
