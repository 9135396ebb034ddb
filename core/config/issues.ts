import type { z } from 'zod';
import { didYouMean, TributaryError } from '../errors.js';
import type { ConfigPath, LoadedConfig } from './load.js';
import { REDACTED, redactSecrets, secretsOf } from './redact.js';

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
};
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The object keys a schema allows at `path`, to suggest the right one for an unknown key. */
function keysAt(schema: z.ZodType | undefined, path: readonly PropertyKey[]): string[] {
  let s = schema;
  let i = 0;
  while (s) {
    const def = defOf(s);
    if (def.innerType) s = def.innerType;
    else if (def.type === 'pipe') s = def.in;
    else if (i === path.length) return def.shape ? Object.keys(def.shape) : [];
    else if (def.shape) s = def.shape[String(path[i++])];
    else if (def.valueType ?? def.element) {
      s = def.valueType ?? def.element;
      i++;
    } else return [];
  }
  return [];
}

const CODES: Record<string, string> = {
  invalid_type: 'TRB_CONFIG_INVALID_TYPE',
  unrecognized_keys: 'TRB_CONFIG_UNKNOWN_KEY',
  invalid_value: 'TRB_CONFIG_INVALID_VALUE',
};

/**
 * Turns zod issues into located TributaryErrors: file:line:col, the config path, what is valid. A value
 * it quotes goes through the redaction rule; an issue at a value whose `${env:...}` could not be
 * expanded is left out (that error is already reported).
 */
export function issuesToErrors(
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
  config: LoadedConfig,
  prefix: ConfigPath,
): TributaryError[] {
  const errors: TributaryError[] = [];
  const secrets = secretsOf(config.value);
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    if (issue.code === 'unrecognized_keys') {
      const valid = keysAt(schema, issue.path);
      for (const key of issue.keys) {
        errors.push(
          new TributaryError(
            CODES.unrecognized_keys as string,
            `unknown key "${key}"`,
            config.locate([...path, key], { key: true }),
            didYouMean(key, valid),
          ),
        );
      }
      continue;
    }
    if (config.unexpanded(path)) continue;
    const custom =
      issue.code === 'custom' ? (issue.params as { trbCode?: string } | undefined)?.trbCode : undefined;
    const expected = expectedTypes(issue);
    const code = custom ?? (expected ? CODES.invalid_type : CODES[issue.code]) ?? 'TRB_CONFIG_INVALID_VALUE';
    const received = valueAt(config, path);
    const shown = redactSecrets(received, secrets, path);
    let hint: string | undefined;
    let message = issue.message;
    if (issue.code === 'invalid_value') {
      const options = issue.values.map(String);
      message = `invalid value ${JSON.stringify(shown)}`;
      hint =
        typeof shown === 'string' && shown === received
          ? didYouMean(shown, options)
          : `valid: ${options.map((o) => JSON.stringify(o)).join(', ')}`;
    } else if (expected) {
      message =
        received === undefined
          ? `missing required key (expected ${expected})`
          : `expected ${expected}, got ${describe(received, shown)}`;
    } else if (shown !== received && (typeof received === 'string' || typeof received === 'number')) {
      // A plugin's own message may quote the value.
      message = message.replaceAll(String(received), String(shown));
    }
    errors.push(new TributaryError(code, message, config.locate(path), hint));
  }
  return errors;
}

/** The type a value should have had: one, or those of a union none of whose types it is (`string or number`). */
function expectedTypes(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code === 'invalid_type') return issue.expected;
  if (issue.code !== 'invalid_union') return;
  const types = issue.errors.map(([only, ...more]) =>
    !more.length && only?.code === 'invalid_type' && !only.path.length ? only.expected : undefined,
  );
  if (!types.length || !types.every(Boolean)) return;
  return types.length === 1 ? types[0] : `${types.slice(0, -1).join(', ')} or ${types.at(-1)}`;
}

function valueAt(config: LoadedConfig, path: ConfigPath): unknown {
  let v: unknown = config.value;
  for (const segment of path)
    v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[segment] : undefined;
  return v;
}

function describe(v: unknown, shown: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${shown === REDACTED ? shown : JSON.stringify(shown)}`;
}
