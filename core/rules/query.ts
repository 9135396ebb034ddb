import { evaluateInstant } from '../promql/index.js';
import type { Expr, Sample } from '../promql/types.js';
import type { RuleStorage } from './types.js';

/** A rule query failed: the rule's health turns bad with this message, the group goes on. */
export class RuleEvalError extends Error {
  override name = 'RuleEvalError';
}

/**
 * Runs a rule's expression at `t` as Prometheus's EngineQueryFunc does: a vector as it is, a scalar
 * as one sample without labels, anything else an error.
 */
export function queryVector(expr: Expr, storage: RuleStorage, t: number, intervalMs: number): Sample[] {
  const value = evaluateInstant(expr, storage, t, { noStepSubqueryIntervalMs: intervalMs });
  if (value.type === 'vector') return [...value.samples];
  if (value.type === 'scalar') return [{ labels: {}, t: value.t, v: value.v }];
  throw new RuleEvalError('rule result is not a vector or scalar');
}
