import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { type Source, TributaryError, TributaryErrors } from '../errors.js';
import { expandScalar } from './expand.js';

export type ConfigPath = readonly (string | number)[];

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

  /** Later files win: maps merge key by key, lists and scalars replace. */
  merge(other: LoadedConfig): LoadedConfig {
    const sources = new Map([...this.sources, ...other.sources]);
    const keys = new Map([...this.keys, ...other.keys]);
    return new LoadedConfig(
      mergeValues(this.value, other.value) as Record<string, unknown>,
      [...this.files, ...other.files],
      sources,
      keys,
      [...this.errors, ...other.errors],
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

/** Parses one YAML text, recording the position of every key and value. */
export function parseConfigText(text: string, file: string, env = process.env): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): Source => {
    if (offset === undefined) return { file };
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  if (doc.errors.length) {
    throw new TributaryErrors(
      doc.errors.map(
        (e) =>
          new TributaryError(
            'TRB_CONFIG_YAML',
            e.message.split('\n')[0] ?? e.message,
            at(e.pos[0]),
            'fix the YAML syntax',
          ),
      ),
    );
  }
  const sources = new Map<string, Source>();
  const keys = new Map<string, Source>();
  const errors: TributaryError[] = [];
  const toValue = (node: unknown, path: (string | number)[], keyOffset?: number): unknown => {
    const resolved = isAlias(node) ? node.resolve(doc) : node;
    const key = formatPath(path);
    if (keyOffset !== undefined) keys.set(key, at(keyOffset));
    const valueOffset = isScalar(resolved) ? resolved.range?.[0] : undefined;
    sources.set(key, at(valueOffset ?? keyOffset ?? (resolved as Node | undefined)?.range?.[0]));
    if (isMap(resolved)) {
      const out: Record<string, unknown> = {};
      for (const pair of resolved.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        out[k] = toValue(pair.value, [...path, k], (pair.key as Node | null)?.range?.[0]);
        if (out[k] === undefined) out[k] = null;
      }
      return out;
    }
    if (isSeq(resolved)) return resolved.items.map((item, i) => toValue(item, [...path, i]));
    if (isScalar(resolved)) {
      if (typeof resolved.value !== 'string') return resolved.value;
      try {
        const plain = resolved.type === 'PLAIN' || resolved.type === undefined;
        return expandScalar(resolved.value, env, () => ({ ...sources.get(key), path: key }), plain);
      } catch (err) {
        if (!(err instanceof TributaryError)) throw err;
        errors.push(err);
        return resolved.value;
      }
    }
    return resolved === null || resolved === undefined ? null : resolved;
  };
  const value = doc.contents ? toValue(doc.contents, []) : {};
  if (value === null) return new LoadedConfig({}, [file], sources, keys, errors);
  if (!isPlainObject(value)) {
    throw new TributaryError(
      'TRB_CONFIG_INVALID_TYPE',
      'a config file must be a YAML map',
      at(0),
      'start with keys such as receivers:, exporters:, service:',
    );
  }
  return new LoadedConfig(value, [file], sources, keys, errors);
}

/** A config given as an object (embedding): expanded like a file, located by path only. */
export function configFromObject(object: Record<string, unknown>, env = process.env): LoadedConfig {
  const errors: TributaryError[] = [];
  const walk = (v: unknown, path: (string | number)[]): unknown => {
    if (typeof v === 'string') {
      try {
        return expandScalar(v, env, () => ({ path: formatPath(path) }));
      } catch (err) {
        if (!(err instanceof TributaryError)) throw err;
        errors.push(err);
        return v;
      }
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (isPlainObject(v))
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k])]));
    return v;
  };
  const value = walk(object, []) as Record<string, unknown>;
  return new LoadedConfig(value, [], undefined, undefined, errors);
}
