import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { type Source, TributaryError, TributaryErrors } from '../errors.js';
import { expandScalar, typedValue } from './expand.js';

export type ConfigPath = readonly (string | number)[];
export type EnvText = { path: ConfigPath; text: string };

/** `service.pipelines.metrics.exporters[1]` */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const segment of path)
    out += typeof segment === 'number' ? `[${segment}]` : out ? `.${segment}` : segment;
  return out;
}

/** A config as read: plain values, and where in which file each of them was written. */
export class LoadedConfig {
  constructor(
    readonly value: Record<string, unknown>,
    readonly files: readonly string[],
    private readonly sources = new Map<string, Source>(),
    private readonly keys = new Map<string, Source>(),
    /**
     * `${env:...}` references that could not be expanded. They are reported with everything
     * validation finds, so one unset variable does not hide the config's other mistakes.
     */
    readonly errors: readonly TributaryError[] = [],
    /**
     * The text of each `${env:...}` value that took a YAML type (`KEY=0123` read as 123), by path:
     * where the schema takes text, validation gives the text back.
     */
    readonly envText: ReadonlyMap<string, EnvText> = new Map(),
  ) {}

  /**
   * Where the value at `path` was written (its key, with `{ key: true }`); the nearest written
   * ancestor when it is missing.
   */
  locate(path: ConfigPath, { key = false } = {}): Source {
    for (let n = path.length; n >= 0; n--) {
      const at = formatPath(path.slice(0, n));
      const found = (key && this.keys.get(at)) || this.sources.get(at);
      if (found) return { ...found, path: formatPath(path) };
    }
    return { file: this.files[this.files.length - 1], path: formatPath(path) };
  }

  /** Whether the value at `path` holds a `${env:...}` that could not be expanded (already an error). */
  unexpanded(path: ConfigPath): boolean {
    const at = formatPath(path);
    return this.errors.some((e) => e.source.path === at);
  }

  /** Later files win: maps merge key by key, lists and scalars replace. */
  merge(other: LoadedConfig): LoadedConfig {
    const sources = new Map([...this.sources, ...other.sources]);
    const keys = new Map([...this.keys, ...other.keys]);
    // What the later file wrote replaces the earlier file's env text too.
    const envText = new Map([...this.envText].filter(([path]) => !other.sources.has(path)));
    for (const [key, typed] of other.envText) envText.set(key, typed);
    return new LoadedConfig(
      mergeValues(this.value, other.value) as Record<string, unknown>,
      [...this.files, ...other.files],
      sources,
      keys,
      [...this.errors, ...other.errors],
      envText,
    );
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeValues(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? mergeValues(out[k], v) : v;
  return out;
}

/** Expands a config's scalars, collecting what cannot be expanded and the text of typed values. */
class Expander {
  readonly errors: TributaryError[] = [];
  readonly envText = new Map<string, EnvText>();
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** `typed` false for a quoted YAML scalar: what it expands to stays a string, as the YAML says. */
  expand(raw: string, path: ConfigPath, where: () => Source, typed = true): unknown {
    try {
      const { text, whole } = expandScalar(raw, this.env, where);
      if (!whole || !typed) return text;
      const value = typedValue(text);
      if (value !== text) this.envText.set(formatPath(path), { path, text });
      return value;
    } catch (err) {
      if (!(err instanceof TributaryError)) throw err;
      // Reported with everything validation finds, so one unset variable does not hide other mistakes.
      this.errors.push(err);
      return raw;
    }
  }
}

/** Reads, expands and merges config files in order. Throws TributaryErrors naming file:line:col. */
export async function loadConfigFiles(paths: readonly string[], env = process.env): Promise<LoadedConfig> {
  let merged: LoadedConfig | undefined;
  for (const path of paths) {
    const file = resolve(path);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new TributaryError(
        'TRB_CONFIG_FILE_NOT_FOUND',
        code === 'ENOENT'
          ? `config file ${path} does not exist`
          : `cannot read config file ${path} (${code})`,
        { file },
        'pass an existing YAML file with --config',
      );
    }
    const loaded = parseConfigText(text, file, env);
    merged = merged ? merged.merge(loaded) : loaded;
  }
  return merged ?? new LoadedConfig({}, []);
}

// A reference in a flow map (`{ x-api-key: ${env:KEY} }`) would end a plain scalar at its braces:
// the parser sees same-length stand-ins for the flow characters inside references, scalars get them back.
const REFERENCE = /\$\{[^}\n]*\}/g;
const FLOW_CHARS = '{}[],';
const STAND_INS = '\uE000\uE001\uE002\uE003\uE004';
const STAND_IN = /[\uE000-\uE004]/g;
const hideFlowChars = (text: string) =>
  text.replace(REFERENCE, (ref) =>
    ref.replace(/[{}[\],]/g, (c) => STAND_INS[FLOW_CHARS.indexOf(c)] as string),
  );
const restoreFlowChars = (text: string) =>
  text.replace(STAND_IN, (c) => FLOW_CHARS[STAND_INS.indexOf(c)] as string);

/** Parses one YAML text, recording the position of every key and value. */
export function parseConfigText(text: string, file: string, env = process.env): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(hideFlowChars(text), { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): Source => {
    if (offset === undefined) return { file };
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  // After the first syntax error the parser mostly reports its own confusion; duplicate keys stand alone.
  const syntax = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
  const yamlErrors = doc.errors.filter((e) => e === syntax || e.code === 'DUPLICATE_KEY');
  if (yamlErrors.length) {
    throw new TributaryErrors(
      yamlErrors.map(
        (e) =>
          new TributaryError(
            'TRB_CONFIG_YAML',
            // The quoted source text ending some messages could be a secret; the position says where.
            restoreFlowChars(e.message.split('\n')[0] ?? e.message).replace(/: ".*"$/, ''),
            at(e.pos[0]),
            'fix the YAML syntax',
          ),
      ),
    );
  }
  const sources = new Map<string, Source>();
  const keys = new Map<string, Source>();
  const expander = new Expander(env);
  const toValue = (node: unknown, path: (string | number)[], keyOffset?: number): unknown => {
    const resolved = isAlias(node) ? node.resolve(doc) : node;
    const key = formatPath(path);
    if (keyOffset !== undefined) keys.set(key, at(keyOffset));
    const valueOffset = isScalar(resolved) ? resolved.range?.[0] : undefined;
    sources.set(key, at(valueOffset ?? keyOffset ?? (resolved as Node | undefined)?.range?.[0]));
    if (isMap(resolved)) {
      const out: Record<string, unknown> = {};
      for (const pair of resolved.items) {
        const k = restoreFlowChars(isScalar(pair.key) ? String(pair.key.value) : String(pair.key));
        out[k] = toValue(pair.value, [...path, k], (pair.key as Node | null)?.range?.[0]);
        if (out[k] === undefined) out[k] = null;
      }
      return out;
    }
    if (isSeq(resolved)) return resolved.items.map((item, i) => toValue(item, [...path, i]));
    if (isScalar(resolved)) {
      if (typeof resolved.value !== 'string') return resolved.value;
      const plain = resolved.type === 'PLAIN' || resolved.type === undefined;
      const where = () => ({ ...sources.get(key), path: key });
      return expander.expand(restoreFlowChars(resolved.value), path, where, plain);
    }
    return resolved === null || resolved === undefined ? null : resolved;
  };
  const value = doc.contents ? toValue(doc.contents, []) : {};
  const { errors, envText } = expander;
  if (value === null) return new LoadedConfig({}, [file], sources, keys, errors, envText);
  if (!isPlainObject(value)) {
    throw new TributaryError(
      'TRB_CONFIG_INVALID_TYPE',
      'a config file must be a YAML map',
      at(0),
      'start with keys such as receivers:, exporters:, service:',
    );
  }
  return new LoadedConfig(value, [file], sources, keys, errors, envText);
}

/** A config given as an object (embedding): expanded like a file, located by path only. */
export function configFromObject(object: Record<string, unknown>, env = process.env): LoadedConfig {
  const expander = new Expander(env);
  const walk = (v: unknown, path: (string | number)[]): unknown => {
    if (typeof v === 'string') {
      return expander.expand(v, path, () => ({ path: formatPath(path) }));
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (isPlainObject(v))
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k])]));
    return v;
  };
  const value = walk(object, []) as Record<string, unknown>;
  return new LoadedConfig(value, [], undefined, undefined, expander.errors, expander.envText);
}
