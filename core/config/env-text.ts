import type { z } from 'zod';
import type { ConfigPath, LoadedConfig } from './load.js';

/**
 * Parses `value`. A `${env:...}` value that took a YAML type (`KEY=0123` read as 123) gets its text back
 * wherever the schema takes text there (a header, a password), as the Collector gives text to a string.
 */
export function parseKeepingText<T extends z.ZodType>(
  schema: T,
  value: unknown,
  source: LoadedConfig,
  prefix: ConfigPath,
): z.ZodSafeParseResult<z.output<T>> {
  let result = schema.safeParse(value);
  for (const { path, text } of source.envText.values()) {
    if (!startsWith(path, prefix)) continue;
    const at = path.slice(prefix.length);
    const withText = withValueAt(value, at, text);
    const trial = schema.safeParse(withText);
    const refused = trial.error?.issues.some((i) => startsWith(i.path as ConfigPath, at));
    if (trial.success || (!result.success && !refused)) [value, result] = [withText, trial];
  }
  return result;
}

const startsWith = (path: ConfigPath, prefix: ConfigPath) => prefix.every((key, i) => path[i] === key);

/** A copy of `value` with `replacement` at `path`. */
function withValueAt(value: unknown, path: ConfigPath, replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  copy[head] = withValueAt(copy[head], rest, replacement);
  return copy;
}
