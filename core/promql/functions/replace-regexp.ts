import { PromqlEvalError } from '../engine/errors.js';
import { compileRe2, Re2Error } from '../re2.js';
import type { Expr, PromqlProblem } from '../types.js';

/** Compiled label_replace() regexps: a rule's are the same every evaluation. Oldest out past the cap. */
const compiled = new Map<string, RegExp>();
const COMPILED_CAP = 1024;

/** The label_replace() regexp or why not: `unsupported` RE2 is refused at load time (below), so this is rare. */
function compile(source: string): RegExp | Re2Error {
  try {
    return compileRe2(source);
  } catch (err) {
    if (err instanceof Re2Error) return err;
    throw err;
  }
}

function untranslatable(source: string, err: Re2Error): string {
  return `label_replace(): the regular expression ${JSON.stringify(source)} uses ${err.message}, which Tributary cannot translate from RE2`;
}

export function replaceRegexp(source: string): RegExp {
  let re = compiled.get(source);
  if (re) return re;
  const result = compile(source);
  if (result instanceof Re2Error) {
    // Prometheus's own message for an invalid one (promqltest matches it).
    if (result.kind === 'invalid')
      throw new PromqlEvalError(`invalid regular expression in label_replace(): ${source}`);
    throw new PromqlEvalError(untranslatable(source, result));
  }
  re = result;
  if (compiled.size >= COMPILED_CAP) compiled.delete(compiled.keys().next().value as string);
  compiled.set(source, re);
  return re;
}

/** label_replace's regexp argument as written, parentheses unwrapped, when it is a string literal. */
function literalString(expr: Expr | undefined): (Expr & { kind: 'string' }) | undefined {
  let e = expr;
  while (e?.kind === 'paren') e = e.expr;
  return e?.kind === 'string' ? e : undefined;
}

/**
 * A regexp RE2 accepts but JavaScript cannot express is refused at load time, never evaluated
 * differently. An invalid one stays an evaluation error, as in Prometheus.
 */
export function untranslatableRegexp(args: readonly Expr[]): PromqlProblem | undefined {
  const regex = literalString(args[4]);
  if (!regex) return undefined;
  const result = compile(regex.value);
  if (result instanceof Re2Error && result.kind === 'unsupported')
    return { message: untranslatable(regex.value, result), position: regex.span };
  return undefined;
}
