import type { LineCounter, Scalar } from 'yaml';

/**
 * The 1-based line and column in the file of character `offset` of a scalar's value: walks the
 * source text (quotes, block headers, indentation and line folding) beside the value.
 */
export function valuePosition(
  source: string,
  node: Scalar,
  offset: number,
  lines: LineCounter,
): { line: number; column: number } {
  const [start = 0, end = start] = node.range ?? [];
  const raw = source.slice(start, end);
  const value = String(node.value);
  let j = 0;
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') j = raw.indexOf('\n') + 1;
  else if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') j = 1;
  for (let i = 0; i < offset && j < raw.length; ) {
    if (raw[j] === value[i]) {
      i++;
      j++;
    } else if (/\s|\\/.test(raw[j] as string)) j++;
    else i++;
  }
  // Indentation before the character the offset names belongs to the line, not to the value.
  while (j < raw.length && /[ \t]/.test(raw[j] as string) && raw[j] !== value[offset]) j++;
  const { line, col } = lines.linePos(start + j);
  return { line, column: col };
}
