/**
 * A label matcher's regular expression as Prometheus 3.x applies it: anchored at both ends, `.`
 * matching newlines too (3.0 changed this), RE2's leading `(?i)`/`(?s)` flags accepted. Throws an
 * Error naming the problem when JavaScript cannot compile it (RE2 and JavaScript differ at the edges).
 */
export function compileLabelRegex(pattern: string): RegExp {
  let flags = 's';
  let body = pattern;
  const leading = /^\(\?([imsU]+)\)/.exec(body);
  if (leading) {
    if (leading[1]?.includes('i')) flags += 'i';
    body = body.slice(leading[0].length);
  }
  try {
    return new RegExp(`^(?:${body})$`, flags);
  } catch (err) {
    throw new Error(
      `error parsing regexp: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`,
    );
  }
}

/** Whether a matcher accepts the empty value (a selector needs at least one that does not). */
export function matchesEmpty(op: '=' | '!=' | '=~' | '!~', value: string): boolean {
  switch (op) {
    case '=':
      return value === '';
    case '!=':
      return value !== '';
    case '=~':
      return compileLabelRegex(value).test('');
    case '!~':
      return !compileLabelRegex(value).test('');
  }
}
