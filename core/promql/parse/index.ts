import { closest } from '../../errors.js';
import { FUNCTIONS } from '../functions/index.js';
import type { Expr } from '../types.js';
import { checkExpr } from './check.js';
import { TreeConverter } from './convert.js';
import { promqlGrammar } from './grammar.js';
import { hexLiteralError } from './literals.js';
import { children, describe, type SyntaxNode } from './tree.js';

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
  if (/^(?:\s|#[^\n]*)*$/.test(text))
    converter.fail('TRB_PROMQL_PARSE', 'no expression found in input', { start: 0, end: 0 });
  const top = promqlGrammar.parse(normalise(text, converter)).topNode;
  const problem = firstError(top);
  if (problem) syntaxError(converter, text, problem);
  const root = children(top)[0];
  if (!root) return converter.fail('TRB_PROMQL_PARSE', 'no expression found in input', { start: 0, end: 0 });
  return checkExpr(converter.expr(root), converter);
}

/**
 * What Prometheus 3.14's lexer accepts and the grammar's tokens do not, rewritten without moving any
 * offset (the tree is read back from the original text): `2.` is a number (the grammar wants digits
 * after the dot), so are `1.e3` and hex with underscores (`0x_1F`, `0x1F_FF`); and `step()`,
 * `range()`, `min_of(...)`, `max_of(...)`, `start()`, `end()` are keywords, so any case (`STEP()`).
 */
const LEXER_GAPS =
  /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`|#[^\n]*|(?<![\w:.])(\d+(?:_\d+)*)\.(?:(?![\d\w])|(?=[eE][+-]?\d))|(?<![\w:.])(0[xX]_?[\da-fA-F]+(?:_[\da-fA-F]+)*)(?!\w)|\b(step|range|min_of|max_of|start|end)(?=\s*\()/gi;

function normalise(text: string, converter: TreeConverter): string {
  return text.replace(
    LEXER_GAPS,
    (m, point: string | undefined, hex: string | undefined, keyword: string | undefined, at: number) => {
      // `2.` -> `2 `, `1.e3` -> `10e3`, `0X_1F` -> `0x01F`: the same length, a token the grammar takes.
      if (point !== undefined) return /[eE]/.test(text[at + m.length] ?? '') ? `${point}0` : `${point} `;
      if (hex !== undefined) {
        const refused = hexLiteralError(text.slice(at));
        if (refused) converter.fail('TRB_PROMQL_PARSE', refused, { start: at, end: at + m.length });
        return hex.replaceAll('_', '0').replace('X', 'x');
      }
      return keyword !== undefined ? keyword.toLowerCase() : m;
    },
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
  const ended = token === '' ? unclosed(text) : undefined;
  return converter.fail('TRB_PROMQL_PARSE', unterminated ?? ended ?? `unexpected ${describe(token)}`, {
    start: node.from,
    end: Math.max(node.to, node.from + token.length),
  });
}

/**
 * What Prometheus's lexer says when the text ends with something still open: inside braces first,
 * then a parenthesis, then a bracket (lex.go's order); undefined when all are closed.
 */
function unclosed(text: string): string | undefined {
  const open: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\' && c !== '`') i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '(' || c === '[' || c === '{') open.push(c);
    else if (c === ')' || c === ']' || c === '}') open.pop();
  }
  if (open.at(-1) === '{') return 'unexpected end of input inside braces';
  if (open.includes('(')) return 'unclosed left parenthesis';
  return open.includes('[') ? 'unclosed left bracket' : undefined;
}
