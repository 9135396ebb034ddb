import { parser } from '@prometheus-io/lezer-promql';
import { closest } from '../../errors.js';
import { FUNCTIONS } from '../functions/index.js';
import type { Expr } from '../types.js';
import { checkExpr } from './check.js';
import { TreeConverter } from './convert.js';
import { describe, type SyntaxNode } from './tree.js';

export { typeOf } from './check.js';
export { evaluateDurationMs } from './duration.js';
export { lineAndColumn, type PromqlErrorCode, PromqlParseError } from './error.js';

/**
 * Parses a PromQL expression with the official grammar (lezer-promql 0.314 = Prometheus 3.14) and
 * type-checks it as Prometheus does. Throws PromqlParseError (TRB_PROMQL_PARSE, or
 * TRB_PROMQL_UNSUPPORTED for what Prometheus only accepts behind a feature flag) with the position.
 */
export function parseExpr(text: string): Expr {
  const converter = new TreeConverter(text);
  if (text.trim() === '')
    converter.fail('TRB_PROMQL_PARSE', 'no expression found in input', { start: 0, end: 0 });
  const top = parser.parse(normalise(text)).topNode;
  const problem = firstError(top);
  if (problem) syntaxError(converter, text, problem);
  const root = top.firstChild;
  if (!root) return converter.fail('TRB_PROMQL_PARSE', 'no expression found in input', { start: 0, end: 0 });
  return checkExpr(converter.expr(root), converter);
}

/**
 * What Prometheus's lexer accepts and the grammar's tokens do not, rewritten without moving any
 * offset: `2.` is a number (the grammar wants digits after the dot), and `step()`, `range()`,
 * `min_of(...)`, `max_of(...)`, `start()`, `end()` are keywords, so any case (`STEP()`) is theirs.
 */
function normalise(text: string): string {
  return text.replace(
    /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`|#[^\n]*|(?<![\w:.])(\d+)\.(?![\d\w])|\b(step|range|min_of|max_of|start|end)(?=\s*\()/gi,
    (m, digits: string | undefined, keyword: string | undefined) =>
      digits !== undefined ? `${digits} ` : keyword !== undefined ? keyword.toLowerCase() : m,
  );
}

function firstError(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type.isError) return node;
  for (let c = node.firstChild; c; c = c.nextSibling) {
    const found = firstError(c);
    if (found) return found;
  }
  return undefined;
}

function syntaxError(converter: TreeConverter, text: string, node: SyntaxNode): never {
  const before = text.slice(0, node.from);
  const called = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*$/.exec(before);
  if (called && text[node.from] === '(' && node.prevSibling?.name === 'Identifier') {
    const name = called[1] as string;
    const at = { start: node.from - called[0].length, end: node.from };
    const known = FUNCTIONS.get(name);
    if (known?.experimental)
      converter.fail(
        'TRB_PROMQL_UNSUPPORTED',
        `function "${name}" ${known.refusedBecause ?? 'is experimental'}`,
        at,
      );
    const near = closest(name, FUNCTIONS.keys());
    converter.fail(
      'TRB_PROMQL_PARSE',
      `unknown function with name "${name}"`,
      at,
      near && `did you mean "${near}"?`,
    );
  }
  const token = text.slice(node.from, node.to) || (text.slice(node.from).match(/^\S+/)?.[0] ?? '');
  const unterminated = /^["'`]/.test(token) ? 'unterminated quoted string' : undefined;
  return converter.fail('TRB_PROMQL_PARSE', unterminated ?? `unexpected ${describe(token)}`, {
    start: node.from,
    end: Math.max(node.to, node.from + token.length),
  });
}
