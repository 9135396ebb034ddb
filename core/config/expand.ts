import { parseDocument } from 'yaml';
import { TributaryError } from '../errors.js';

// `$${` is an escaped `${`; `${env:NAME}` and `${env:NAME:-default}` are the only references.
const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const ENV = /^env:([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * Expands environment references in one scalar. `whole` says it was a single reference in full: then
 * the value may take the YAML type of what it expands to (see typedValue).
 */
export function expandScalar(
  text: string,
  env: NodeJS.ProcessEnv,
  where: () => TributaryError['source'],
): { text: string; whole: boolean } {
  if (!text.includes('${')) return { text, whole: false };
  let whole = false;
  const expanded = text.replace(REFERENCE, (match, inner: string | undefined, offset: number) => {
    if (inner === undefined) return '${';
    const m = ENV.exec(inner);
    if (!m) {
      throw new TributaryError(
        'TRB_CONFIG_BAD_REFERENCE',
        `unsupported reference "${match}"`,
        where(),
        'use ${env:NAME} or ${env:NAME:-default}, or write $${ for a literal ${',
      );
    }
    const name = m[1] as string;
    const value = env[name] ?? m[2];
    if (value === undefined) {
      throw new TributaryError(
        'TRB_CONFIG_ENV_UNDEFINED',
        `environment variable ${name} is not set`,
        where(),
        `set it, or give a default: \${env:${name}:-value}`,
      );
    }
    whole = offset === 0 && match.length === text.length;
    return value;
  });
  return { text: expanded, whole };
}

/**
 * What a whole reference's value reads as in YAML (`512` a number, `true` a boolean), as in the
 * Collector (`limit_mib: ${env:LIMIT}` gives a number); text when it is a map, a list, null or not
 * YAML at all (`@token`). Silent: a YAML warning would print the value.
 */
export function typedValue(text: string): unknown {
  const doc = parseDocument(text, { logLevel: 'silent' });
  const typed: unknown = doc.errors.length ? null : doc.toJS();
  return typed === null || typeof typed === 'object' ? text : typed;
}
