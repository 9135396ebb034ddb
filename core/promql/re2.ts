/**
 * Prometheus's regular expressions are Go's RE2, always anchored (`^(?s:...)$`). This translates one to
 * a JavaScript RegExp with the same matches and capture groups, or says why it cannot: `invalid` where
 * Go would refuse it too, `unsupported` for RE2 syntax JavaScript has no equivalent for here.
 */
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

/** The contents of Go's POSIX classes (`[[:alpha:]]`), written for a JavaScript class. */
const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`\\{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** Characters that must stay escaped in a JavaScript `u` pattern to mean themselves (`-` only in a class). */
const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));
const SPACE = '\\t\\n\\f\\r ';
const MAX_REPEAT = 1000;

function literal(ch: string, inClass: boolean): string {
  return SYNTAX.has(ch) || (inClass && ch === '-') ? `\\${ch}` : ch;
}

/** The other case of a letter that has exactly one, else undefined. */
function otherCase(ch: string): string | undefined {
  const lower = ch.toLowerCase();
  const upper = ch.toUpperCase();
  const other = ch === lower ? upper : lower;
  return other !== ch && other.length === ch.length && [...other].length === 1 ? other : undefined;
}

/** An ASCII letter range in a class under `(?i)`: the range and its other-case twin (`a-f` -> `a-fA-F`). */
function caselessRange(from: string, to: string): string {
  const twin = (c: string) => otherCase(c) ?? c;
  const sameCase = from >= 'a' === to >= 'a';
  return sameCase ? `${from}-${to}${twin(from)}-${twin(to)}` : `${from}-${to}`;
}

class Translator {
  private i = 0;
  private out = '';
  flags = 's';
  /** Inside `(?i:...)` or after a mid-pattern `(?i)`: letters match either case (JavaScript has no inline flags). */
  private caseless = false;
  /** The `caseless` state to restore at each open group's `)`. */
  private readonly groups: boolean[] = [];

  constructor(private readonly src: string) {}

  translate(): string {
    this.leadingFlags();
    while (this.i < this.src.length) this.atom();
    return this.out;
  }

  /** `(?i)`, `(?m)`, `(?s)` at the very start apply to the whole pattern. */
  private leadingFlags(): void {
    const m = /^\(\?([ims]+)\)/.exec(this.src);
    if (!m) return;
    for (const f of m[1] as string) if (!this.flags.includes(f)) this.flags += f;
    this.i = m[0].length;
  }

  private atom(): void {
    const ch = this.src[this.i] as string;
    switch (ch) {
      case '\\':
        this.out += this.escape(false);
        return;
      case '[':
        this.out += this.characterClass();
        return;
      case '(':
        this.out += this.group();
        return;
      case ')':
        this.i++;
        this.caseless = this.groups.pop() ?? this.caseless;
        this.out += ')';
        return;
      case '{':
        this.out += this.repeatOrBrace();
        return;
      case '}':
      case ']':
        this.i++;
        this.out += `\\${ch}`;
        return;
      default: {
        // Copy a whole code point, so a surrogate pair stays one character.
        const cp = String.fromCodePoint(this.src.codePointAt(this.i) as number);
        this.i += cp.length;
        const other = this.caseless ? otherCase(cp) : undefined;
        this.out += other ? `[${cp}${other}]` : cp;
      }
    }
  }

  private group(): string {
    const rest = this.src.slice(this.i);
    const flags = /^\(\?(-?[imsU]*(?:-[imsU]*)?)([:)])/.exec(rest);
    if (flags && !rest.startsWith('(?:')) {
      const [on = '', off = ''] = (flags[1] as string).split('-');
      if (/[mU]/.test(on + off))
        throw new Re2Error(
          'unsupported',
          `the flag group ${flags[0]} (m and U are supported only as a leading (?m); i and s anywhere)`,
        );
      this.i += flags[0].length;
      const caseless = on.includes('i') ? true : off.includes('i') ? false : this.caseless;
      if (flags[2] === ')') {
        this.caseless = caseless;
        return '';
      }
      this.groups.push(this.caseless);
      this.caseless = caseless;
      return '(?:';
    }
    this.groups.push(this.caseless);
    const named = /^\(\?P?<([^>]*)>/.exec(rest);
    if (named) {
      const name = named[1] as string;
      if (!/^\w+$/.test(name)) throw new Re2Error('invalid', `invalid named capture: ${named[0]}`);
      if (/^\d/.test(name)) throw new Re2Error('unsupported', `a group name starting with a digit (${name})`);
      this.i += named[0].length;
      return `(?<${name}>`;
    }
    if (rest.startsWith('(?:')) {
      this.i += 3;
      return '(?:';
    }
    if (rest.startsWith('(?'))
      throw new Re2Error('invalid', `invalid or unsupported Perl syntax: ${rest.slice(0, 3)}`);
    this.i++;
    return '(';
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
    let out = '[';
    if (this.src[this.i] === '^') {
      out += '^';
      this.i++;
    }
    let first = true;
    for (;;) {
      if (this.i >= this.src.length) throw new Re2Error('invalid', 'missing closing ]');
      const ch = this.src[this.i] as string;
      if (ch === ']' && !first) {
        this.i++;
        return `${out}]`;
      }
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.i));
      if (posix) {
        const ranges = POSIX_CLASSES[posix[2] as string];
        if (!ranges) throw new Re2Error('invalid', `invalid character class range: ${posix[0]}`);
        if (posix[1]) throw new Re2Error('unsupported', `a negated POSIX class inside a class (${posix[0]})`);
        out += ranges;
        this.i += posix[0].length;
      } else if (ch === '\\') {
        out += this.escape(true);
      } else if (ch === '-') {
        out += '-';
        this.i++;
      } else if (this.caseless && /^[A-Za-z]-[A-Za-z]/.test(this.src.slice(this.i))) {
        out += caselessRange(this.src[this.i] as string, this.src[this.i + 2] as string);
        this.i += 3;
      } else {
        const cp = String.fromCodePoint(this.src.codePointAt(this.i) as number);
        this.i += cp.length;
        out += ch === '[' || ch === ']' ? `\\${ch}` : cp + ((this.caseless && otherCase(cp)) || '');
      }
    }
  }

  private escape(inClass: boolean): string {
    const c = this.src[this.i + 1];
    if (c === undefined) throw new Re2Error('invalid', 'trailing backslash at end of expression');
    this.i += 2;
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 'f':
      case 't':
      case 'n':
      case 'r':
      case 'v':
        return `\\${c}`;
      case 'a':
        return '\\x07';
      case 's':
        return inClass ? SPACE : `[${SPACE}]`;
      case 'S':
        if (inClass) throw new Re2Error('unsupported', '\\S inside a character class');
        return `[^${SPACE}]`;
      case 'b':
      case 'B':
        if (inClass) throw new Re2Error('invalid', `invalid escape sequence: \\${c}`);
        return `\\${c}`;
      case 'A':
        if (inClass) throw new Re2Error('invalid', 'invalid escape sequence: \\A');
        return '(?<![\\s\\S])';
      case 'z':
        if (inClass) throw new Re2Error('invalid', 'invalid escape sequence: \\z');
        return '(?![\\s\\S])';
      case 'p':
      case 'P':
        return this.unicodeClass(c);
      case 'x':
        return this.hex();
      case 'Q':
        return this.quoted(inClass);
      case 'C':
        throw new Re2Error('unsupported', '\\C (any byte)');
    }
    if (c >= '0' && c <= '7') return this.octal(c);
    if (/[\p{L}\p{N}]/u.test(c) || c.charCodeAt(0) >= 0x80)
      throw new Re2Error('invalid', `invalid escape sequence: \\${c}`);
    return literal(c, inClass);
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
    const property = GENERAL_CATEGORIES.has(name) ? name : `Script=${name}`;
    return `\\${negated ? 'P' : 'p'}{${property}}`;
  }

  private hex(): string {
    const braced = /^\{([0-9A-Fa-f]+)\}/.exec(this.src.slice(this.i));
    if (braced) {
      this.i += braced[0].length;
      const cp = Number.parseInt(braced[1] as string, 16);
      if (cp > 0x10ffff) throw new Re2Error('invalid', `invalid escape sequence: \\x${braced[0]}`);
      return `\\u{${cp.toString(16)}}`;
    }
    const two = /^[0-9A-Fa-f]{2}/.exec(this.src.slice(this.i));
    if (!two) throw new Re2Error('invalid', 'invalid escape sequence: \\x');
    this.i += 2;
    return `\\x${two[0]}`;
  }

  /** Go reads `\0`, `\01`, `\012` and `\12` as octal; a lone `\1`..`\7` is a backreference it refuses. */
  private octal(first: string): string {
    const more = /^[0-7]{0,2}/.exec(this.src.slice(this.i))?.[0] ?? '';
    if (first !== '0' && more === '')
      throw new Re2Error('invalid', `invalid escape sequence: \\${first} (backreferences are not supported)`);
    this.i += more.length;
    return `\\u{${Number.parseInt(first + more, 8).toString(16)}}`;
  }

  /** `\Q...\E`: everything between is literal text. */
  private quoted(inClass: boolean): string {
    const end = this.src.indexOf('\\E', this.i);
    const text = this.src.slice(this.i, end < 0 ? undefined : end);
    this.i = end < 0 ? this.src.length : end + 2;
    return Array.from(text, (ch) => literal(ch, inClass)).join('');
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
