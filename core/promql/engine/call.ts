import { FUNCTIONS } from '../functions/index.js';
import { labelsKey } from '../labels.js';
import { compileRegex } from '../matchers.js';
import type { Argument, Expr, Sample } from '../types.js';
import type { Evaluate, QueryContext } from './context.js';
import { PromqlEvalError } from './errors.js';
import { assertUniqueLabelsets, DUPLICATE_LABELSET, namesDiffer, withoutName } from './names.js';
import { selectInstant } from './selectors.js';
import type { Elem, StepValue } from './values.js';

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

/** A function call at step `t` through FUNCTIONS, then Prometheus's `__name__` handling. */
export function callAt(e: CallExpr, t: number, q: QueryContext, evaluate: Evaluate): StepValue {
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
