import { FUNCTIONS } from '../functions/index.js';
import { labelsKey } from '../labels.js';
import { compileRegex } from '../matchers.js';
import type { Argument, Expr, Sample } from '../types.js';
import type { Evaluate, QueryContext } from './context.js';
import { PromqlEvalError } from './errors.js';
import { assertUniqueLabelsets, DUPLICATE_LABELSET, namesDiffer, withoutName } from './names.js';
import { selectInstant, selectRange } from './selectors.js';
import type { Elem, ElemSeries, StepValue } from './values.js';

type CallExpr = Expr & { kind: 'call' };

/** Functions whose result keeps `__name__` (they do not change what the value means). */
const KEEPS_NAME = new Set([
  'last_over_time',
  'first_over_time',
  'sort',
  'sort_desc',
  'sort_by_label',
  'sort_by_label_desc',
  'label_replace',
  'label_join',
]);

/** A call's value on one range vector at one step: the same for every rule that makes the same call. */
interface CallTaken {
  readonly func: string;
  readonly t: number;
  readonly rangeStart: number;
  readonly rangeEnd: number;
  readonly delayed: boolean;
  readonly value: StepValue;
}

/**
 * The last call on each range vector the selectors gave (see selectors.ts: rules of one cycle that
 * share a selector share its range vector): `rate(x[5m])` in twenty rules is computed once.
 */
const callsTaken = new WeakMap<readonly ElemSeries[], CallTaken>();

/** A function call at step `t` through FUNCTIONS, then Prometheus's `__name__` handling. */
export function callAt(e: CallExpr, t: number, q: QueryContext, evaluate: Evaluate): StepValue {
  const arg = e.args.length === 1 ? unwrapped(e.args[0] as Expr) : undefined;
  // A function of one range vector alone (absent_over_time also reads the selector as written), at
  // one instant (a range query also records which series gave each label set).
  if (arg?.kind !== 'matrix' || e.func === 'absent_over_time' || q.interval > 0 || q.subqueryDepth > 0)
    return callOnce(e, t, q, evaluate);
  const matrix = selectRange(arg, t, q);
  const { rangeStart, rangeEnd } = matrix;
  const last = callsTaken.get(matrix.series);
  if (
    last &&
    last.func === e.func &&
    last.t === t &&
    last.rangeStart === rangeStart &&
    last.rangeEnd === rangeEnd &&
    last.delayed === q.delayedNameRemoval
  )
    return last.value;
  const value = callOnce(e, t, q, () => matrix);
  callsTaken.set(matrix.series, {
    func: e.func,
    t,
    rangeStart,
    rangeEnd,
    delayed: q.delayedNameRemoval,
    value,
  });
  return value;
}

function callOnce(e: CallExpr, t: number, q: QueryContext, evaluate: Evaluate): StepValue {
  const def = FUNCTIONS.get(e.func);
  if (!def) throw new PromqlEvalError(`unknown function with name "${e.func}"`);
  let rangeStart = 0;
  let rangeEnd = 0;
  let input: StepValue | undefined;
  const args: Argument[] = e.args.map((a) => {
    const arg = unwrapped(a);
    // timestamp() of a selector reads each sample's own time, not the step's.
    const v: StepValue =
      e.func === 'timestamp' && arg.kind === 'vector'
        ? { type: 'vector', samples: selectInstant(arg, t, q, true) }
        : evaluate(arg, t, q);
    if (v.type === 'matrix') ({ rangeStart, rangeEnd } = v);
    if (!input && (v.type === 'vector' || v.type === 'matrix')) input = v;
    return v;
  });
  const out = def.call(args, { t, rangeStart, rangeEnd, args: e.args });
  const acrossSteps = q.interval > 0 || q.subqueryDepth > 0;
  if (input?.type === 'matrix' && !q.delayedNameRemoval && acrossSteps && !KEEPS_NAME.has(e.func))
    assertOneSourcePerLabelset(e, out, q);
  if (def.returnType === 'scalar') return { type: 'scalar', v: out[0]?.v ?? Number.NaN };
  if (KEEPS_NAME.has(e.func)) {
    const kept = keepingNames(e, out, input, t);
    // Only the label functions write labels; sort and last/first_over_time keep their inputs'.
    if (e.func === 'label_replace' || e.func === 'label_join') assertUniqueLabelsets(kept);
    return { type: 'vector', samples: kept };
  }
  const samples = out.map((s) => ({
    labels: q.delayedNameRemoval ? s.labels : withoutName(s.labels),
    t,
    v: s.v,
    dropName: true,
  }));
  // A function gives one result per input series or group, so only dropped names can collide.
  if (!q.delayedNameRemoval && namesDiffer(out)) assertUniqueLabelsets(samples);
  return { type: 'vector', samples };
}

/** The range-mode half of Prometheus's duplicate check for range-vector functions (see nameDropSources). */
function assertOneSourcePerLabelset(e: CallExpr, out: readonly Sample[], q: QueryContext): void {
  let sources = q.nameDropSources.get(e);
  if (!sources) {
    sources = new Map();
    q.nameDropSources.set(e, sources);
  }
  for (const s of out) {
    const key = labelsKey(withoutName(s.labels));
    const source = labelsKey(s.labels);
    const earlier = sources.get(key);
    if (earlier === undefined) sources.set(key, source);
    else if (earlier !== source) throw new PromqlEvalError(DUPLICATE_LABELSET);
  }
}

function unwrapped(e: Expr): Expr {
  return e.kind === 'paren' ? unwrapped(e.expr) : e;
}

/**
 * A name-keeping function's samples keep their input's pending name removal, except that
 * label_replace/label_join writing `__name__` make the name wanted again.
 */
function keepingNames(e: CallExpr, out: readonly Sample[], input: StepValue | undefined, t: number): Elem[] {
  const inputs: readonly { labels: Sample['labels']; dropName: boolean }[] =
    input?.type === 'vector' ? input.samples : input?.type === 'matrix' ? input.series : [];
  if (e.func === 'label_replace' || e.func === 'label_join') {
    const setsName = nameWriter(e);
    return out.map((s, i) => {
      const from = out.length === inputs.length ? inputs[i] : undefined;
      const dropName = from ? from.dropName && !setsName(from.labels) : false;
      return { labels: s.labels, t, v: s.v, dropName };
    });
  }
  const dropByKey = new Map(inputs.map((s) => [labelsKey(s.labels), s.dropName]));
  return out.map((s) => ({
    labels: s.labels,
    t,
    v: s.v,
    dropName: dropByKey.get(labelsKey(s.labels)) ?? false,
  }));
}

/** Whether label_replace/label_join sets `__name__` on a sample with these labels. */
function nameWriter(e: CallExpr): (labels: Sample['labels']) => boolean {
  const literal = (i: number) => {
    const a = e.args[i];
    return a?.kind === 'string' ? a.value : '';
  };
  if (literal(1) !== '__name__') return () => false;
  if (e.func === 'label_join') return () => true;
  const source = literal(3);
  const regex = compileRegex(literal(4));
  return (labels) => regex.test(labels[source] ?? '');
}
