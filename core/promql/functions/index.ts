import type { FunctionDef } from '../types.js';
import { ABSENT } from './absent.js';
import type { Call, Calls } from './call.js';
import { CHANGES } from './changes.js';
import { DATE } from './date.js';
import { HISTOGRAM } from './histogram.js';
import { LABELS } from './labels.js';
import { MATH } from './math.js';
import { OVER_TIME } from './over-time.js';
import { RATE } from './rate.js';
import { REGRESSION } from './regression.js';
import { untranslatableRegexp } from './replace-regexp.js';
import { SIGNATURES, type Signature } from './signatures.js';
import { SORT } from './sort.js';
import { TIME } from './time.js';

/** The implementations, by family. */
const CALLS: Calls = {
  ...ABSENT,
  ...CHANGES,
  ...DATE,
  ...HISTOGRAM,
  ...LABELS,
  ...MATH,
  ...OVER_TIME,
  ...RATE,
  ...REGRESSION,
  ...SORT,
  ...TIME,
};

function refusedCall(name: string): Call {
  return () => {
    throw new Error(`PromQL function ${name}() is refused at load time and cannot be evaluated`);
  };
}

/**
 * Every function Prometheus v3.14.0 knows, by name, called once per step by the evaluator.
 *
 * - Refused ones (feature-flagged in Prometheus, or native-histogram-only) are `experimental` with
 *   `refusedBecause`; the parser refuses them with TRB_PROMQL_UNSUPPORTED at the call's position.
 * - Matrix arguments hold each series' points in the window, without staleness markers; a series
 *   with none is skipped. Vector arguments' samples carry their own time (timestamp() reads it).
 * - Results keep their input's labels, `__name__` included: the evaluator drops the name as
 *   Prometheus's engine does (types.ts). The evaluator also refuses duplicate label sets.
 * - A user error found while evaluating (label_replace's regexp, label names) throws PromqlEvalError
 *   (TRB_PROMQL_EVAL) with Prometheus's message.
 */
export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(
  SIGNATURES.map((s): [string, FunctionDef] => [s.name, definition(s)]),
);

for (const name of Object.keys(CALLS))
  if (!SIGNATURES.some((s) => s.name === name && !s.refused))
    throw new Error(`PromQL function ${name}() is implemented but has no signature, or is refused`);

function definition(s: Signature): FunctionDef {
  const base = { name: s.name, argTypes: s.argTypes, variadic: s.variadic, returnType: s.returnType };
  if (s.refused) return { ...base, experimental: true, refusedBecause: s.refused, call: refusedCall(s.name) };
  const call = CALLS[s.name];
  if (!call) throw new Error(`PromQL function ${s.name}() has a signature but no implementation`);
  if (s.name === 'label_replace') return { ...base, call, unsupportedArguments: untranslatableRegexp };
  return { ...base, call };
}
