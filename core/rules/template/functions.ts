import { isIP } from 'node:net';
import { parseDuration } from '../duration.js';
import { expressionLink, queryEscape } from '../links.js';
import { goType, isTrue, sprintAll, type TemplateFunction } from './exec.js';
import {
  humanize,
  humanize1024,
  humanizeDuration,
  humanizePercentage,
  humanizeTimestamp,
} from './humanize.js';
import { sprintf } from './printf.js';
import { GoMap, type GoStruct, type GoValue } from './types.js';

/** One element of a `query` result: `.Labels` and `.Value`, as Prometheus's templates see it. */
export interface QuerySample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** What the functions that depend on the evaluation read: set before each expansion. */
export interface TemplateEnv {
  /** The evaluation time, ms. */
  t: number;
  externalUrl: string;
  /** Runs a PromQL query at `t`: a vector (a scalar as one sample without labels); throws on error. */
  query: (expr: string, t: number) => readonly QuerySample[];
}

const str = (v: GoValue, name = 'value'): string => {
  if (typeof v !== 'string') throw new Error(`wrong type for ${name}; expected string; got ${goType(v)}`);
  return v;
};

const arity = (name: string, args: GoValue[], n: number) => {
  if (args.length !== n) throw new Error(`wrong number of args for ${name}: want ${n} got ${args.length}`);
};

const sampleStruct = (s: QuerySample): GoStruct => ({
  goStruct: '*template.sample',
  fields: { Labels: new GoMap(s.labels), Value: s.value },
});

const sampleOf = (v: GoValue): GoStruct => {
  if (typeof v === 'object' && v !== null && 'goStruct' in v && v.goStruct === '*template.sample') return v;
  throw new Error(`wrong type for value; expected *template.sample; got ${goType(v)}`);
};

const vectorOf = (v: GoValue): readonly GoValue[] => {
  if (Array.isArray(v)) return v;
  throw new Error(`wrong type for value; expected template.queryResult; got ${goType(v)}`);
};

/** Go's regexp syntax in JavaScript: named groups, and leading inline flags as flags. */
function goRegExp(pattern: string, global = false): RegExp {
  const flags = /^\(\?([imsU]+)\)/.exec(pattern);
  const body = (flags ? pattern.slice(flags[0].length) : pattern).replace(/\(\?P</g, '(?<');
  const f = (flags?.[1] ?? '').replace('U', '');
  return new RegExp(body, `${f}${global ? 'g' : ''}u`);
}

/** Go's Regexp.ReplaceAllString: `$1`, `${1}`, `$name`, `${name}` (longest name), `$$`. */
function reReplaceAll(pattern: string, replacement: string, text: string): string {
  const re = goRegExp(pattern, true);
  return text.replace(re, (...match) => {
    const groups = (typeof match[match.length - 1] === 'object' ? match[match.length - 1] : {}) as Record<
      string,
      string | undefined
    >;
    return replacement.replace(/\$(\$|\{(\w+)\}|(\w+))/g, (all, _w, braced?: string, bare?: string) => {
      if (all === '$$') return '$';
      const name = (braced ?? bare) as string;
      if (/^\d+$/.test(name)) {
        const n = Number(name);
        return typeof match[n] === 'string' && n < match.length - 2 ? (match[n] as string) : '';
      }
      return groups?.[name] ?? '';
    });
  });
}

/** Go's net.SplitHostPort; undefined where Go returns an error. */
function splitHostPort(hostPort: string): [string, string] | undefined {
  const i = hostPort.lastIndexOf(':');
  if (i < 0) return undefined;
  let host: string;
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    if (end < 0 || end + 1 !== i) return undefined;
    host = hostPort.slice(1, end);
  } else {
    host = hostPort.slice(0, i);
    if (host.includes(':')) return undefined;
  }
  return [host, hostPort.slice(i + 1)];
}

const title = (text: string) =>
  text.replace(
    /(^|[^\p{L}\p{N}_'])(\p{L})/gu,
    (_m, before: string, letter: string) => before + letter.toUpperCase(),
  );

const htmlEscape = (text: string) =>
  text.replace(
    /[&<>"'\0]/g,
    (c) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;', '\0': '\uFFFD' })[c] as string,
  );

type Kind = 'bool' | 'int' | 'float' | 'string';
function basicKind(v: GoValue): Kind {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  throw new Error('invalid type for comparison');
}

function compare(name: string, a: GoValue, b: GoValue): number {
  const ka = basicKind(a);
  if (ka !== basicKind(b)) throw new Error('incompatible types for comparison');
  if (ka === 'bool' && name !== 'eq' && name !== 'ne') throw new Error('invalid type for comparison');
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : a === b ? 0 : Number.NaN;
}

/** The Go builtins and Prometheus's template functions over `env`. */
export function templateFunctions(env: TemplateEnv): ReadonlyMap<string, TemplateFunction> {
  const one = (name: string, f: (v: GoValue) => GoValue): [string, TemplateFunction] => [
    name,
    (args) => {
      arity(name, args, 1);
      return f(args[0] as GoValue);
    },
  ];
  const externalUrl = () => new URL(env.externalUrl);
  const functions: [string, TemplateFunction][] = [
    // Go's builtins (and/or are evaluated lazily by the executor).
    ['and', () => null],
    ['or', () => null],
    one('not', (v) => !isTrue(v)),
    one('len', (v) => {
      if (typeof v === 'string') return BigInt(Buffer.byteLength(v));
      if (Array.isArray(v)) return BigInt(v.length);
      if (v instanceof GoMap) return BigInt(Object.keys(v.entries).length);
      throw new Error(`len of type ${goType(v)}`);
    }),
    [
      'index',
      ([item, ...keys]) => {
        let v = item ?? null;
        for (const key of keys) {
          if (v instanceof GoMap) v = v.entries[str(key, 'key')] ?? '';
          else if (Array.isArray(v) && typeof key === 'bigint') {
            if (key < 0n || key >= BigInt(v.length)) throw new Error(`index out of range: ${key}`);
            v = v[Number(key)] as GoValue;
          } else throw new Error(`can't index item of type ${goType(v)}`);
        }
        return v;
      },
    ],
    ['print', (args) => sprintAll(args)],
    ['println', (args) => `${args.map((a) => sprintAll([a])).join(' ')}\n`],
    ['printf', ([format, ...args]) => sprintf(str(format ?? null, 'format'), args)],
    ['html', (args) => htmlEscape(sprintAll(args))],
    ['urlquery', (args) => queryEscape(sprintAll(args))],
    ['eq', ([a, ...bs]) => bs.some((b) => compare('eq', a ?? null, b) === 0)],
    ['ne', ([a, b]) => compare('ne', a ?? null, b ?? null) !== 0],
    ['lt', ([a, b]) => compare('lt', a ?? null, b ?? null) < 0],
    ['le', ([a, b]) => compare('le', a ?? null, b ?? null) <= 0],
    ['gt', ([a, b]) => compare('gt', a ?? null, b ?? null) > 0],
    ['ge', ([a, b]) => compare('ge', a ?? null, b ?? null) >= 0],
    // Prometheus's (template/template.go).
    one('query', (q) => env.query(str(q), env.t).map(sampleStruct)),
    one('first', (v) => {
      const vector = vectorOf(v);
      if (vector.length === 0) throw new Error('first() called on vector with no elements');
      return vector[0] as GoValue;
    }),
    [
      'label',
      (args) => {
        arity('label', args, 2);
        return (sampleOf(args[1] as GoValue).fields.Labels as GoMap).entries[str(args[0] as GoValue)] ?? '';
      },
    ],
    one('value', (v) => sampleOf(v).fields.Value as GoValue),
    one('strvalue', (v) => (sampleOf(v).fields.Labels as GoMap).entries.__value__ ?? ''),
    [
      'reReplaceAll',
      (args) => {
        arity('reReplaceAll', args, 3);
        return reReplaceAll(str(args[0] as GoValue), str(args[1] as GoValue), str(args[2] as GoValue));
      },
    ],
    // Text templates print safeHtml's html/template.HTML as the string it is.
    one('safeHtml', (v) => str(v)),
    [
      'match',
      (args) => {
        arity('match', args, 2);
        return goRegExp(str(args[0] as GoValue)).test(str(args[1] as GoValue));
      },
    ],
    one('title', (v) => title(str(v))),
    one('toUpper', (v) => str(v).toUpperCase()),
    one('toLower', (v) => str(v).toLowerCase()),
    one('graphLink', (v) => expressionLink(str(v), 'graph')),
    one('tableLink', (v) => expressionLink(str(v), 'table')),
    [
      'sortByLabel',
      (args) => {
        arity('sortByLabel', args, 2);
        const label = str(args[0] as GoValue);
        const key = (s: GoValue) => (sampleOf(s).fields.Labels as GoMap).entries[label] ?? '';
        return [...vectorOf(args[1] as GoValue)].sort((a, b) =>
          key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0,
        );
      },
    ],
    one('stripPort', (v) => splitHostPort(str(v))?.[0] ?? str(v)),
    one('stripDomain', (v) => {
      const hostPort = str(v);
      const [host, port] = splitHostPort(hostPort) ?? [hostPort, ''];
      if (isIP(host)) return hostPort;
      const short = host.split('.')[0] as string;
      if (port === '') return short;
      return short.includes(':') ? `[${short}]:${port}` : `${short}:${port}`;
    }),
    one('humanize', humanize),
    one('humanize1024', humanize1024),
    one('humanizeDuration', humanizeDuration),
    one('humanizePercentage', humanizePercentage),
    one('humanizeTimestamp', humanizeTimestamp),
    ['now', () => env.t / 1000],
    ['pathPrefix', () => externalUrl().pathname.replace(/\/$/, '')],
    ['externalURL', () => env.externalUrl],
    one('parseDuration', (v) => {
      const ms = parseDuration(str(v), true);
      if (ms === undefined) throw new Error(`not a valid duration string: ${JSON.stringify(v)}`);
      return ms / 1000;
    }),
    one('urlQueryEscape', (v) => queryEscape(str(v))),
  ];
  return new Map(functions);
}

/** Every function name a rule template may call (what the parser accepts). */
export const TEMPLATE_FUNCTION_NAMES: ReadonlySet<string> = new Set(
  templateFunctions({ t: 0, externalUrl: 'http://localhost/', query: () => [] }).keys(),
);
