import { TributaryError } from '../../errors.js';
import type { Span } from '../types.js';

export type PromqlErrorCode = 'TRB_PROMQL_PARSE' | 'TRB_PROMQL_UNSUPPORTED';

/**
 * An expression the parser refuses. `detail` is Prometheus's wording; the message prefixes it with
 * `line:column` inside the expression (Prometheus's own `1:5: parse error: ...` shape).
 */
export class PromqlParseError extends TributaryError {
  override name = 'PromqlParseError';
  constructor(
    code: PromqlErrorCode,
    readonly detail: string,
    readonly position: Span,
    readonly expression: string,
    hint?: string,
  ) {
    const { line, column } = lineAndColumn(expression, position.start);
    super(code, `${line}:${column}: ${detail}`, {}, hint);
  }
}

/** 1-based line and column of a character offset, as editors and Prometheus count them. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
