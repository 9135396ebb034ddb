import type { parser } from '@prometheus-io/lezer-promql';
import type { Span } from '../types.js';
import type { PromqlErrorCode } from './error.js';

/** A node of lezer-promql's tree (its @lezer/common type, reached through the grammar's package). */
export type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/** What reads the tree of one expression: its text, and refusing at a position. */
export interface SyntaxReader {
  textOf(n: SyntaxNode): string;
  fail(code: PromqlErrorCode, detail: string, at: Span | SyntaxNode, hint?: string): never;
}

/**
 * The named children of a node (lezer leaves anonymous punctuation out of the tree), without the
 * `# comments` lezer keeps in it wherever they stand.
 */
export function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) if (c.name !== 'LineComment') out.push(c);
  return out;
}

/** A token as an error message quotes it. */
export function describe(token: string): string {
  return token === ''
    ? 'end of input'
    : JSON.stringify(token.length > 20 ? `${token.slice(0, 20)}...` : token);
}
