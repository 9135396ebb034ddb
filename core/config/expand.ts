import { parse } from 'yaml';
import { TributaryError } from '../errors.js';

// `$${` is an escaped `${`; `${env:NAME}` and `${env:NAME:-default}` are the only references.
const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const ENV = /^env:([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * Expands environment references in one scalar. A value that is a single reference in full takes the
 * referenced value's YAML type (`limit_mib: ${env:LIMIT}` gives a number), as in the Collector.
 */
export function expandScalar(
  text: string,
  env: NodeJS.ProcessEnv,
  where: () => TributaryError['source'],
  /** False for a quoted YAML scalar: what it expands to stays a string. */
  typed = true,
): unknown {
  if (!text.includes('${')) return text;
  let whole: string | undefined;
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
    if (offset === 0 && match.length === text.length) whole = value;
    return value;
  });
  if (whole !== undefined && typed) {
    const typed: unknown = parse(whole);
    return typed === null || typeof typed === 'object' ? whole : typed;
  }
  return expanded;
}
