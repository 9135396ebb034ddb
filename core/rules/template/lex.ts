import { type GoValue, TemplateSyntaxError } from './types.js';

export type Token =
  | { readonly type: 'text'; readonly text: string; readonly offset: number }
  /** `{{` (after trimming): the start of an action. */
  | { readonly type: 'open'; readonly offset: number }
  | { readonly type: 'close'; readonly offset: number }
  | { readonly type: 'field'; readonly name: string; readonly offset: number; readonly joined: boolean }
  | { readonly type: 'dot'; readonly offset: number }
  | { readonly type: 'variable'; readonly name: string; readonly offset: number }
  | { readonly type: 'identifier'; readonly name: string; readonly offset: number }
  | { readonly type: 'value'; readonly value: GoValue; readonly offset: number }
  | { readonly type: 'punct'; readonly text: '|' | '(' | ')' | ',' | ':=' | '='; readonly offset: number };

const SPACE = /\s/;
const IDENT = /[A-Za-z0-9_]/;
const NUMBER =
  /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d+)?)/;
const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  '"': '"',
  "'": "'",
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

/** Splits a Go text/template into text and action tokens; `{{-` and `-}}` trim the neighbouring space. */
export function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    let chunk = text.slice(i, open < 0 ? text.length : open);
    const trimLeft = open >= 0 && text.startsWith('{{- ', open);
    if (trimLeft) chunk = chunk.replace(/\s+$/, '');
    if (chunk) tokens.push({ type: 'text', text: chunk, offset: i });
    if (open < 0) break;
    i = lexAction(text, open + (trimLeft ? 4 : 2), open, tokens);
  }
  return tokens;
}

/** Lexes one action from `start` (after `{{`); returns where the text after `}}` starts. */
function lexAction(text: string, start: number, open: number, tokens: Token[]): number {
  let i = start;
  if (text.startsWith('/*', i)) {
    const end = text.indexOf('*/', i + 2);
    if (end < 0) throw new TemplateSyntaxError('unclosed comment', open);
    const after = afterClose(text, end + 2);
    if (after < 0) throw new TemplateSyntaxError('comment ends before closing delimiter', open);
    return after;
  }
  tokens.push({ type: 'open', offset: open });
  let previousJoins = false;
  for (;;) {
    const c = text[i];
    if (c === undefined) throw new TemplateSyntaxError('unclosed action', open);
    if (SPACE.test(c)) {
      const after = afterClose(text, i);
      if (after >= 0 && text[i + 1] === '-') {
        tokens.push({ type: 'close', offset: i });
        return after;
      }
      i++;
      previousJoins = false;
      continue;
    }
    if (text.startsWith('}}', i)) {
      tokens.push({ type: 'close', offset: i });
      return i + 2;
    }
    const offset = i;
    if (c === '|' || c === '(' || c === ')' || c === ',' || c === '=') {
      tokens.push({ type: 'punct', text: c, offset });
      i++;
      previousJoins = c === ')';
      continue;
    }
    if (c === ':' && text[i + 1] === '=') {
      tokens.push({ type: 'punct', text: ':=', offset });
      i += 2;
      previousJoins = false;
      continue;
    }
    if (c === '"' || c === '`' || c === "'") {
      const [value, end] = quoted(text, i);
      tokens.push({ type: 'value', value, offset });
      i = end;
      previousJoins = false;
      continue;
    }
    if (c === '.' && !/\d/.test(text[i + 1] ?? '')) {
      let j = i + 1;
      while (j < text.length && IDENT.test(text[j] as string)) j++;
      const isDot = j === i + 1;
      if (isDot) tokens.push({ type: 'dot', offset });
      else tokens.push({ type: 'field', name: text.slice(i + 1, j), offset, joined: previousJoins });
      i = j;
      previousJoins = !isDot;
      continue;
    }
    if (c === '$') {
      let j = i + 1;
      while (j < text.length && IDENT.test(text[j] as string)) j++;
      tokens.push({ type: 'variable', name: text.slice(i, j), offset });
      i = j;
      previousJoins = true;
      continue;
    }
    const number = NUMBER.exec(text.slice(i));
    if (number && /[\d.]/.test(c === '+' || c === '-' ? (text[i + 1] ?? '') : c)) {
      tokens.push({ type: 'value', value: numberValue(number[0], offset), offset });
      i += number[0].length;
      previousJoins = false;
      continue;
    }
    if (IDENT.test(c)) {
      let j = i;
      while (j < text.length && IDENT.test(text[j] as string)) j++;
      const word = text.slice(i, j);
      if (word === 'true' || word === 'false') tokens.push({ type: 'value', value: word === 'true', offset });
      else if (word === 'nil') tokens.push({ type: 'value', value: null, offset });
      else tokens.push({ type: 'identifier', name: word, offset });
      i = j;
      previousJoins = false;
      continue;
    }
    throw new TemplateSyntaxError(`unexpected "${c}" in command`, offset);
  }
}

/** Where the text after ` -}}` or `}}` starting at `i` ends; -1 when no closing delimiter is there. */
function afterClose(text: string, i: number): number {
  if (text.startsWith('}}', i)) return i + 2;
  if (SPACE.test(text[i] ?? '') && text.startsWith('-}}', i + 1)) {
    let j = i + 4;
    while (j < text.length && SPACE.test(text[j] as string)) j++;
    return j;
  }
  return -1;
}

/** A number constant: an int (bigint) when Go would make it one, else a float64. */
function numberValue(text: string, offset: number): number | bigint {
  const plain = text.replace(/_/g, '');
  if (/^[+-]?(0[xXoObB][0-9a-fA-F]+|\d+)$/.test(plain)) {
    const negative = plain.startsWith('-');
    const digits = plain.replace(/^[+-]/, '');
    const value = BigInt(/^0\d/.test(digits) ? `0o${digits.slice(1)}` : digits);
    return negative ? -value : value;
  }
  const value = Number(plain);
  if (Number.isNaN(value)) throw new TemplateSyntaxError(`bad number syntax: "${text}"`, offset);
  return value;
}

/** A quoted string (Go escapes), raw string or character constant (an int, as Go makes it). */
function quoted(text: string, start: number): [GoValue, number] {
  const quote = text[start] as string;
  let out = '';
  let i = start + 1;
  for (;;) {
    const c = text[i];
    if (c === undefined || (c === '\n' && quote !== '`'))
      throw new TemplateSyntaxError(
        `unterminated ${quote === "'" ? 'character constant' : 'quoted string'}`,
        start,
      );
    if (c === quote) break;
    if (c === '\\' && quote !== '`') {
      const e = text[i + 1] ?? '';
      if (e in ESCAPES) {
        out += ESCAPES[e];
        i += 2;
        continue;
      }
      const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      const code = hex ? Number.parseInt(text.slice(i + 2, i + 2 + hex), 16) : Number.NaN;
      if (Number.isNaN(code)) throw new TemplateSyntaxError(`unknown escape sequence: \\${e}`, i);
      out += String.fromCodePoint(code);
      i += 2 + hex;
      continue;
    }
    out += c;
    i++;
  }
  if (quote === "'") {
    const code = out.codePointAt(0);
    if (code === undefined || [...out].length !== 1)
      throw new TemplateSyntaxError('malformed character constant', start);
    return [BigInt(code), i + 1];
  }
  return [out, i + 1];
}
