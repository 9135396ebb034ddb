import { printValue, sprintAll } from './exec.js';
import { formatE, formatF, formatG } from './go-format.js';
import { GoMap, type GoValue } from './types.js';

const VERB = /%([-+# 0]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])/g;

/** Go's fmt.Sprintf for the verbs templates use: %v %s %q %d %f %e %g %t %x %X %%, flags, width, precision. */
export function sprintf(format: string, args: readonly GoValue[]): string {
  let next = 0;
  let out = format.replace(
    VERB,
    (_all, flags: string, width: string | undefined, prec: string | undefined, verb: string) => {
      if (verb === '%') return '%';
      if (next >= args.length) return `%!${verb}(MISSING)`;
      const arg = args[next++] as GoValue;
      const precision = prec === undefined ? undefined : prec === '' ? 0 : Number(prec);
      const text = formatOne(verb, arg, flags, precision);
      return pad(
        text,
        flags,
        width === undefined ? 0 : Number(width),
        typeof arg === 'number' || typeof arg === 'bigint',
      );
    },
  );
  if (next < args.length)
    out += `%!(EXTRA ${args
      .slice(next)
      .map((a) => `${typeName(a)}=${printValue(a)}`)
      .join(', ')})`;
  return out;
}

function formatOne(verb: string, arg: GoValue, flags: string, precision: number | undefined): string {
  const plus = flags.includes('+');
  const sign = (text: string) => (plus && !text.startsWith('-') ? `+${text}` : text);
  switch (verb) {
    case 'v':
      if (typeof arg === 'number') return sign(formatG(arg, precision ?? -1));
      return arg === null ? '<nil>' : sprintAll([arg]);
    case 's':
      if (typeof arg === 'string') return precision === undefined ? arg : arg.slice(0, precision);
      if (arg instanceof GoMap || Array.isArray(arg)) return sprintAll([arg]);
      break;
    case 'q':
      if (typeof arg === 'string') return JSON.stringify(arg);
      break;
    case 'd':
      if (typeof arg === 'bigint') return sign(arg.toString());
      break;
    case 'f':
    case 'F':
      if (typeof arg === 'number') return sign(formatF(arg, precision ?? 6));
      break;
    case 'e':
    case 'E': {
      if (typeof arg !== 'number') break;
      const text = sign(formatE(arg, precision ?? 6));
      return verb === 'E' ? text.toUpperCase() : text;
    }
    case 'g':
    case 'G': {
      if (typeof arg !== 'number') break;
      const text = sign(formatG(arg, precision ?? -1));
      return verb === 'G' ? text.toUpperCase() : text;
    }
    case 't':
      if (typeof arg === 'boolean') return String(arg);
      break;
    case 'x':
    case 'X': {
      let text: string | undefined;
      if (typeof arg === 'bigint') text = arg < 0n ? `-${(-arg).toString(16)}` : arg.toString(16);
      if (typeof arg === 'string') text = Buffer.from(arg, 'utf8').toString('hex');
      if (text !== undefined) return verb === 'X' ? text.toUpperCase() : text;
      break;
    }
  }
  return `%!${verb}(${typeName(arg)}=${arg === null ? '<nil>' : sprintAll([arg])})`;
}

function pad(text: string, flags: string, width: number, numeric: boolean): string {
  if (text.length >= width) return text;
  if (flags.includes('-')) return text.padEnd(width);
  if (flags.includes('0') && numeric) {
    const signed = /^[+-]/.test(text);
    return (signed ? text[0] : '') + text.slice(signed ? 1 : 0).padStart(width - (signed ? 1 : 0), '0');
  }
  return text.padStart(width);
}

function typeName(value: GoValue): string {
  if (value === null) return '<nil>';
  if (typeof value === 'number') return 'float64';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'string';
  return 'map[string]string';
}
