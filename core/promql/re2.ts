/**
 * Prometheus's regular expressions are Go's RE2, always anchored (`^(?s:...)$`). This translates one to
 * a JavaScript RegExp with the same matches and capture groups, or says why it cannot: `invalid` where
 * Go would refuse it too, `unsupported` for RE2 syntax JavaScript has no equivalent for here.
 *
 * JavaScript (Node 20) has no inline flags, so a case-insensitive part (`a(?i)b`, `(?i:b)`) is spelled
 * out: each letter becomes the class of its case variants, as RE2 folds them.
 */
import { caseVariants, foldRanges, MAX_FOLDED_RANGE } from './re2-case.js';

export class Re2Error extends Error {
  override name = 'Re2Error';
  constructor(
    readonly kind: 'invalid' | 'unsupported',
    message: string,
  ) {
    super(message);
  }
}

const GENERAL_CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(
    ' ',
  ),
);

/** Go's POSIX classes (`[[:alpha:]]`) as code point ranges. */
const POSIX_CLASSES: Readonly<Record<string, readonly (readonly [number, number])[]>> = {
  alnum: [ascii('0', '9'), ascii('A', 'Z'), ascii('a', 'z')],
  alpha: [ascii('A', 'Z'), ascii('a', 'z')],
  ascii: [[0, 0x7f]],
  blank: [ascii('\t', '\t'), ascii(' ', ' ')],
  cntrl: [
    [0, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [ascii('0', '9')],
  graph: [ascii('!', '~')],
  lower: [ascii('a', 'z')],
  print: [ascii(' ', '~')],
  punct: [ascii('!', '/'), ascii(':', '@'), ascii('[', '`'), ascii('{', '~')],
  space: [ascii('\t', '\r'), ascii(' ', ' ')],
  upper: [ascii('A', 'Z')],
  word: [ascii('0', '9'), ascii('A', 'Z'), ascii('a', 'z'), ascii('_', '_')],
  xdigit: [ascii('0', '9'), ascii('A', 'F'), ascii('a', 'f')],
};

function ascii(from: string, to: string): readonly [number, number] {
  return [from.charCodeAt(0), to.charCodeAt(0)];
}

/** Characters that must be escaped to mean themselves in a JavaScript `u` pattern, and in a class. */
const SYNTAX = new Set('^$\\.*+?()[]{}|/');
const CLASS_SYNTAX = new Set('\\]-^[');
const SPACE = '\\t\\n\\f\\r ';
const MAX_REPEAT = 1000;

function literal(cp: number, inClass: boolean): string {
  const ch = String.fromCodePoint(cp);
  if ((inClass ? CLASS_SYNTAX : SYNTAX).has(ch)) return `\\${ch}`;
  return cp < 0x20 || cp === 0x7f ? `\\u{${cp.toString(16)}}` : ch;
}

/** An escape read: one literal code point, or a piece of pattern (`\d`, `\pL`, an anchor). */
type Escaped = { cp: number } | { text: string };

class Translator {
  private i = 0;
  /** Whether the current group matches case-insensitively (RE2's `i` flag) where JavaScript's `i` flag is off. */
  private caseless = false;
  private readonly groups: boolean[] = [];
  flags = 's';

  constructor(private readonly src: string) {}

  translate(): string {
    this.leadingFlags();
    let out = '';
    while (this.i < this.src.length) out += this.atom();
    return out;
  }

  /** Flags at the very start apply to the whole pattern: JavaScript's own `i` folds exactly. */
  private leadingFlags(): void {
    const m = /^\(\?([ims]+)\)/.exec(this.src);
    if (!m) return;
    for (const f of m[1] as string) if (!this.flags.includes(f)) this.flags += f;
    this.i = m[0].length;
  }

  private atom(): string {
    const ch = this.src[this.i] as string;
    switch (ch) {
      case '\\': {
        const e = this.escape(false);
        return 'cp' in e ? this.literalOutside(e.cp) : e.text;
      }
      case '[':
        return this.characterClass();
      case '(':
        return this.group();
      case ')':
        this.i++;
        this.caseless = this.groups.pop() ?? this.caseless;
        return ')';
      case '{':
        return this.repeatOrBrace();
      case '}':
      case ']':
        this.i++;
        return `\\${ch}`;
      case '.':
      case '*':
      case '+':
      case '?':
      case '|':
      case '^':
      case '$':
        this.i++;
        return ch;
      default: {
        const cp = this.src.codePointAt(this.i) as number;
        this.i += cp > 0xffff ? 2 : 1;
        return this.literalOutside(cp);
      }
    }
  }

  private literalOutside(cp: number): string {
    if (!this.caseless) return literal(cp, false);
    const variants = caseVariants(cp);
    return variants.length === 1 ? literal(cp, false) : `[${variants.map((v) => literal(v, true)).join('')}]`;
  }

  private group(): string {
    const rest = this.src.slice(this.i);
    const named = /^\(\?P?<([^>]*)>/.exec(rest);
    if (named) {
      const name = named[1] as string;
      if (!/^\w+$/.test(name)) throw new Re2Error('invalid', `invalid named capture: ${named[0]}`);
      if (/^\d/.test(name)) throw new Re2Error('unsupported', `a group name starting with a digit (${name})`);
      this.i += named[0].length;
      this.groups.push(this.caseless);
      return `(?<${name}>`;
    }
    const flags = /^\(\?([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest);
    if (flags) {
      const [all, on = '', off = '', end] = flags;
      if (end === ')' && all === '(?)')
        throw new Re2Error('invalid', 'invalid or unsupported Perl syntax: (?)');
      this.i += all.length;
      if (end === ':') this.groups.push(this.caseless);
      this.setFlags(all, on, off);
      return end === ':' ? '(?:' : '';
    }
    if (rest.startsWith('(?'))
      throw new Re2Error('invalid', `invalid or unsupported Perl syntax: ${rest.slice(0, 3)}`);
    this.i++;
    this.groups.push(this.caseless);
    return '(';
  }

  /** `s` is always on; `i` is spelled out; `m` and `U` change the whole pattern's meaning mid-way. */
  private setFlags(group: string, on: string, off: string): void {
    if ((on + off).includes('U')) throw new Re2Error('unsupported', `the ungreedy flag group ${group}`);
    if ((on + off).includes('m'))
      throw new Re2Error('unsupported', `the multi-line flag group ${group} after the start of the pattern`);
    if (off.includes('s'))
      throw new Re2Error('unsupported', `the flag group ${group} (. not matching newlines)`);
    const globallyCaseless = this.flags.includes('i');
    if (on.includes('i') && !globallyCaseless) this.caseless = true;
    if (off.includes('i')) {
      if (globallyCaseless)
        throw new Re2Error('unsupported', `the flag group ${group} (turning off a leading (?i))`);
      this.caseless = false;
    }
  }

  /** `{n}`, `{n,}`, `{n,m}` repeat; any other `{` is a literal brace in RE2. */
  private repeatOrBrace(): string {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
    if (!m) {
      this.i++;
      return '\\{';
    }
    const min = Number(m[1]);
    const max = m[3] ? Number(m[3]) : min;
    if (min > MAX_REPEAT || max > MAX_REPEAT || (m[3] && max < min))
      throw new Re2Error('invalid', `invalid repeat count: ${m[0]}`);
    this.i += m[0].length;
    return m[0];
  }

  private characterClass(): string {
    this.i++;
    let negated = false;
    if (this.src[this.i] === '^') {
      negated = true;
      this.i++;
    }
    const ranges: [number, number][] = [];
    let pieces = '';
    let first = true;
    for (;;) {
      if (this.i >= this.src.length) throw new Re2Error('invalid', 'missing closing ]');
      if (this.src[this.i] === ']' && !first) break;
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.i));
      if (posix) {
        const posixRanges = POSIX_CLASSES[posix[2] as string];
        if (!posixRanges) throw new Re2Error('invalid', `invalid character class range: ${posix[0]}`);
        if (posix[1]) throw new Re2Error('unsupported', `a negated POSIX class inside a class (${posix[0]})`);
        ranges.push(...posixRanges.map(([lo, hi]): [number, number] => [lo, hi]));
        this.i += posix[0].length;
        continue;
      }
      const lo = this.classItem();
      if (!('cp' in lo)) {
        if (this.caseless && /^\\[pP]/.test(lo.text))
          throw new Re2Error('unsupported', `${lo.text} inside a case-insensitive part`);
        pieces += lo.text;
        continue;
      }
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.i + 1 < this.src.length) {
        this.i++;
        const hi = this.classItem();
        if (!('cp' in hi) || hi.cp < lo.cp)
          throw new Re2Error('invalid', `invalid character class range: ${this.src.slice(0, this.i)}`);
        ranges.push([lo.cp, hi.cp]);
      } else {
        ranges.push([lo.cp, lo.cp]);
      }
    }
    this.i++;
    const written = (this.caseless ? this.folded(ranges) : ranges)
      .map(([lo, hi]) => (lo === hi ? literal(lo, true) : `${literal(lo, true)}-${literal(hi, true)}`))
      .join('');
    return `[${negated ? '^' : ''}${written}${pieces}]`;
  }

  private folded(ranges: readonly [number, number][]): [number, number][] {
    const result = foldRanges(ranges);
    if (!result)
      throw new Re2Error(
        'unsupported',
        `a class range over ${MAX_FOLDED_RANGE} characters inside a case-insensitive part`,
      );
    return result;
  }

  /** One member of a class: a code point (maybe a range's end), or an escape like `\d`. */
  private classItem(): Escaped {
    if (this.src[this.i] === '\\') {
      if (this.src[this.i + 1] === 'Q')
        throw new Re2Error('unsupported', '\\Q...\\E inside a character class');
      return this.escape(true);
    }
    const cp = this.src.codePointAt(this.i) as number;
    this.i += cp > 0xffff ? 2 : 1;
    return { cp };
  }

  private escape(inClass: boolean): Escaped {
    const c = this.src[this.i + 1];
    if (c === undefined) throw new Re2Error('invalid', 'trailing backslash at end of expression');
    this.i += 2;
    const text = (t: string): Escaped => ({ text: t });
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        return text(`\\${c}`);
      case 's':
        return text(inClass ? SPACE : `[${SPACE}]`);
      case 'S':
        if (inClass) throw new Re2Error('unsupported', '\\S inside a character class');
        return text(`[^${SPACE}]`);
      case 'a':
        return { cp: 7 };
      case 'f':
        return { cp: 12 };
      case 't':
        return { cp: 9 };
      case 'n':
        return { cp: 10 };
      case 'r':
        return { cp: 13 };
      case 'v':
        return { cp: 11 };
      case 'b':
      case 'B':
      case 'A':
      case 'z':
        if (inClass) throw new Re2Error('invalid', `invalid escape sequence: \\${c}`);
        return text({ b: '\\b', B: '\\B', A: '(?<![\\s\\S])', z: '(?![\\s\\S])' }[c]);
      case 'p':
      case 'P':
        return text(this.unicodeClass(c));
      case 'x':
        return { cp: this.hex() };
      case 'Q':
        return text(this.quoted());
      case 'C':
        throw new Re2Error('unsupported', '\\C (any byte)');
    }
    if (c >= '0' && c <= '7') return { cp: this.octal(c) };
    if (/[\p{L}\p{N}]/u.test(c) || c.charCodeAt(0) >= 0x80)
      throw new Re2Error('invalid', `invalid escape sequence: \\${c}`);
    return { cp: c.charCodeAt(0) };
  }

  /** `\pL`, `\p{Greek}`, `\PL`, `\p{^Greek}`: a general category, or else a script. */
  private unicodeClass(p: 'p' | 'P'): string {
    let name: string;
    if (this.src[this.i] === '{') {
      const end = this.src.indexOf('}', this.i);
      if (end < 0) throw new Re2Error('invalid', 'invalid character class range: missing }');
      name = this.src.slice(this.i + 1, end);
      this.i = end + 1;
    } else {
      name = this.src[this.i] ?? '';
      this.i++;
    }
    let negated = p === 'P';
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    if (name === 'Any') throw new Re2Error('unsupported', '\\p{Any}');
    if (this.caseless) throw new Re2Error('unsupported', `\\${p}{${name}} inside a case-insensitive part`);
    const property = GENERAL_CATEGORIES.has(name) ? name : `Script=${name}`;
    return `\\${negated ? 'P' : 'p'}{${property}}`;
  }

  private hex(): number {
    const braced = /^\{([0-9A-Fa-f]+)\}/.exec(this.src.slice(this.i));
    if (braced) {
      this.i += braced[0].length;
      const cp = Number.parseInt(braced[1] as string, 16);
      if (cp > 0x10ffff) throw new Re2Error('invalid', `invalid escape sequence: \\x${braced[0]}`);
      return cp;
    }
    const two = /^[0-9A-Fa-f]{2}/.exec(this.src.slice(this.i));
    if (!two) throw new Re2Error('invalid', 'invalid escape sequence: \\x');
    this.i += 2;
    return Number.parseInt(two[0], 16);
  }

  /** Go reads `\0`, `\01`, `\012` and `\12` as octal; a lone `\1`..`\7` is a backreference it refuses. */
  private octal(first: string): number {
    const more = /^[0-7]{0,2}/.exec(this.src.slice(this.i))?.[0] ?? '';
    if (first !== '0' && more === '')
      throw new Re2Error('invalid', `invalid escape sequence: \\${first} (backreferences are not supported)`);
    this.i += more.length;
    return Number.parseInt(first + more, 8);
  }

  /** `\Q...\E`: everything between is literal text. */
  private quoted(): string {
    const end = this.src.indexOf('\\E', this.i);
    const text = this.src.slice(this.i, end < 0 ? undefined : end);
    this.i = end < 0 ? this.src.length : end + 2;
    return Array.from(text, (ch) => this.literalOutside(ch.codePointAt(0) as number)).join('');
  }
}

/** The RegExp that matches exactly the strings Prometheus's anchored `source` matches. */
export function compileRe2(source: string): RegExp {
  const translator = new Translator(source);
  const body = translator.translate();
  const anchored = translator.flags.includes('m') ? `(?<![\\s\\S])(?:${body})(?![\\s\\S])` : `^(?:${body})$`;
  try {
    return new RegExp(anchored, `${translator.flags}u`);
  } catch (err) {
    throw new Re2Error('invalid', (err as Error).message.replace(/^Invalid regular expression: /, ''));
  }
}
