import { formatLabels, labelsKey } from '../labels.js';
import type { ArithmeticOp, BinaryOp, ComparisonOp, Expr, Labels, SetOp, VectorMatching } from '../types.js';
import { arithmetic, compare, isComparison, isSetOperator } from './arith.js';
import type { QueryContext } from './context.js';
import { PromqlEvalError } from './errors.js';
import { assertUniqueLabelsets, changed, namesDiffer, withoutName } from './names.js';
import { matchLabels, signatureOf } from './signatures.js';
import type { Elem, StepValue } from './values.js';

type BinaryExpr = Expr & { kind: 'binary' };
/** The operators that compute a value: arithmetic and comparison. */
type ValueOp = Exclude<BinaryOp, SetOp>;

/** One binary operation at step `t`, on the operands' values at that step. */
export function binaryAt(
  e: BinaryExpr,
  lhs: StepValue,
  rhs: StepValue,
  t: number,
  q: QueryContext,
): StepValue {
  const op = e.op;
  let out: Elem[];
  if (lhs.type === 'vector' && rhs.type === 'vector') {
    const m = e.matching as VectorMatching;
    out = isSetOperator(op)
      ? setOperation(op, lhs.samples, rhs.samples, m)
      : vectorVector(e, op, lhs.samples, rhs.samples, m, t, q);
  } else if (isSetOperator(op)) {
    throw new PromqlEvalError(`set operator "${op}" not allowed in binary scalar expression`);
  } else if (lhs.type === 'scalar' && rhs.type === 'scalar') {
    return {
      type: 'scalar',
      v: isComparison(op) ? Number(compare(op, lhs.v, rhs.v)) : arithmetic(op, lhs.v, rhs.v),
    };
  } else if (lhs.type === 'vector' && rhs.type === 'scalar') {
    out = vectorScalar(e, op, lhs.samples, rhs.v, false, t, q);
  } else if (lhs.type === 'scalar' && rhs.type === 'vector') {
    out = vectorScalar(e, op, rhs.samples, lhs.v, true, t, q);
  } else {
    throw new PromqlEvalError(`binary operator "${e.op}" between ${lhs.type} and ${rhs.type} is not allowed`);
  }
  return { type: 'vector', samples: out };
}

function setOperation(op: SetOp, lhs: readonly Elem[], rhs: readonly Elem[], m: VectorMatching): Elem[] {
  const sig = signatureOf(m);
  if (op === 'or') {
    if (lhs.length === 0) return [...rhs];
    if (rhs.length === 0) return [...lhs];
    const leftSigs = new Set(lhs.map((s) => sig(s.labels)));
    return [...lhs, ...rhs.filter((s) => !leftSigs.has(sig(s.labels)))];
  }
  if (lhs.length === 0 || rhs.length === 0) return op === 'and' ? [] : [...lhs];
  const rightSigs = new Set(rhs.map((s) => sig(s.labels)));
  const wanted = op === 'and';
  return lhs.filter((s) => rightSigs.has(sig(s.labels)) === wanted);
}

/**
 * Arithmetic and comparison between two vectors (Prometheus's VectorBinop): the "one" side must
 * be unique per match group, one-to-one matches must be unique on both sides, and group_left/
 * group_right results unique per group; so the result's label sets are distinct by construction
 * (each carries its match group's labels), as are those of the set operators.
 */
function vectorVector(
  e: BinaryExpr,
  op: ValueOp,
  lhs: readonly Elem[],
  rhs: readonly Elem[],
  m: VectorMatching,
  t: number,
  q: QueryContext,
): Elem[] {
  if (lhs.length === 0 || rhs.length === 0) return [];
  const swapped = m.card === 'one-to-many';
  const [many, one] = swapped ? [rhs, lhs] : [lhs, rhs];
  const sig = signatureOf(m);
  const oneBySig = new Map<string, Elem>();
  for (const rs of one) {
    const s = sig(rs.labels);
    const earlier = oneBySig.get(s);
    if (earlier)
      throw new PromqlEvalError(
        `found duplicate series for the match group ${formatLabels(matchLabels(rs.labels, m))} on the ${swapped ? 'left' : 'right'} hand-side of the operation: [${formatLabels(rs.labels)}, ${formatLabels(earlier.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    oneBySig.set(s, rs);
  }
  const matchedOneToOne = new Set<string>();
  const matchedGroups = new Map<string, Set<string>>();
  const out: Elem[] = [];
  const dropNow = !q.delayedNameRemoval && e.returnBool;
  for (const ls of many) {
    const s = sig(ls.labels);
    const rs = oneBySig.get(s);
    if (!rs) continue;
    const a = swapped ? rs.v : ls.v;
    const b = swapped ? ls.v : rs.v;
    let v: number;
    let keep = true;
    if (isComparison(op)) {
      keep = compare(op, a, b);
      v = e.returnBool ? Number(keep) : a;
    } else {
      v = arithmetic(op, a, b);
    }
    const labels = cachedResultLabels(e, ls.labels, rs.labels, dropNow);
    if (m.card === 'one-to-one') {
      if (matchedOneToOne.has(s))
        throw new PromqlEvalError(
          'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
        );
      matchedOneToOne.add(s);
    } else {
      let inserted = matchedGroups.get(s);
      if (!inserted) {
        inserted = new Set();
        matchedGroups.set(s, inserted);
      }
      const key = labelsKey(labels);
      if (inserted.has(key))
        throw new PromqlEvalError('multiple matches for labels: grouping labels must ensure unique matches');
      inserted.add(key);
    }
    if (keep || e.returnBool) out.push({ labels, t, v, dropName: e.returnBool });
  }
  return out;
}

/**
 * Result labels by binary node, then "many"-side and "one"-side label sets (Prometheus caches them per
 * query too): rules re-evaluate the same series every cycle, so each result label set is built once.
 */
const resultLabelsCache = [new WeakMap<BinaryExpr, Pairs>(), new WeakMap<BinaryExpr, Pairs>()];
type Pairs = WeakMap<Labels, WeakMap<Labels, Labels>>;

function cachedResultLabels(e: BinaryExpr, ls: Labels, rs: Labels, dropName: boolean): Labels {
  const byNode = resultLabelsCache[dropName ? 1 : 0] as WeakMap<BinaryExpr, Pairs>;
  let pairs = byNode.get(e);
  if (!pairs) {
    pairs = new WeakMap();
    byNode.set(e, pairs);
  }
  let byOne = pairs.get(ls);
  if (!byOne) {
    byOne = new WeakMap();
    pairs.set(ls, byOne);
  }
  let labels = byOne.get(rs);
  if (!labels) {
    labels = resultLabels(ls, rs, e.op as ValueOp, e.matching as VectorMatching, dropName);
    byOne.set(rs, labels);
  }
  return labels;
}

/** The result's labels (resultMetric): the "many" side's, narrowed for one-to-one, plus group_x labels. */
function resultLabels(ls: Labels, rs: Labels, op: ValueOp, m: VectorMatching, dropName: boolean): Labels {
  const out: Record<string, string> = { ...(dropName || !isComparison(op) ? withoutName(ls) : ls) };
  if (m.card === 'one-to-one') {
    for (const name of Object.keys(out)) if (m.labels.includes(name) !== m.on) delete out[name];
  }
  for (const name of m.include) {
    const v = rs[name];
    if (v) out[name] = v;
    else delete out[name];
  }
  return out;
}

function vectorScalar(
  e: BinaryExpr,
  op: ValueOp,
  samples: readonly Elem[],
  scalar: number,
  scalarOnLeft: boolean,
  t: number,
  q: QueryContext,
): Elem[] {
  const out: Elem[] = [];
  const comparison = isComparison(op);
  for (const el of samples) {
    const a = scalarOnLeft ? scalar : el.v;
    const b = scalarOnLeft ? el.v : scalar;
    if (!comparison) out.push(changed(el, arithmetic(op as ArithmeticOp, a, b), t, q.delayedNameRemoval));
    else if (e.returnBool)
      out.push(changed(el, Number(compare(op as ComparisonOp, a, b)), t, q.delayedNameRemoval));
    else if (compare(op as ComparisonOp, a, b))
      out.push({ labels: el.labels, t, v: el.v, dropName: el.dropName });
  }
  // Arithmetic and `bool` drop names, which can make two label sets one.
  if ((!comparison || e.returnBool) && !q.delayedNameRemoval && namesDiffer(samples))
    assertUniqueLabelsets(out);
  return out;
}
