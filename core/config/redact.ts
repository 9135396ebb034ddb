import type { ConfigPath } from './load.js';
import { SECTIONS } from './schema.js';

/*
 * The one redaction rule: print-config, config errors, start failures and the engine's logs all use it.
 * A value is secret when a key on its path looks like a credential or it sits in a `headers` map; in
 * any other text, URLs lose their password and query.
 */
const SECRET_KEY =
  /password|passwd|token|secret|api[_-]?key|authorization|credential|private[_-]?key|cookie/i;
/** Maps whose every value is a credential more often than not. */
const ALL_SECRET = /^headers$/i;
export const REDACTED = '[REDACTED]';
/** Shorter "secrets" would mask ordinary words and numbers all over the logs. */
const MIN_SECRET_LENGTH = 4;

/** Whether a key (a config key, an attribute name, a JSON field) names a credential. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** The credential key rule's source, for patterns that find `key: value` pairs inside text. */
export const SECRET_KEY_SOURCE = SECRET_KEY.source;

/** Whether the value at `path` is secret. A component id (`exporters.token_exporter`) is a name, not a key. */
export function isSecretPath(path: ConfigPath): boolean {
  return path.some(
    (key, i) =>
      typeof key === 'string' &&
      !(i === 1 && (path[0] as string) in SECTIONS) &&
      (SECRET_KEY.test(key) || ALL_SECRET.test(key)),
  );
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const prototype = Object.getPrototypeOf(v);
  return prototype === Object.prototype || prototype === null;
}

/**
 * A copy with every secret value replaced by `[REDACTED]`, and in other strings URL passwords and
 * queries and the `known` secret values masked. Walks plain objects and arrays only.
 */
export function redactSecrets(value: unknown, known: readonly string[] = [], path: ConfigPath = []): unknown {
  if (Array.isArray(value)) return value.map((v, i) => redactSecrets(v, known, [...path, i]));
  if (isPlainObject(value))
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, redactSecrets(v, known, [...path, k])]),
    );
  if (value === null || value === undefined || typeof value === 'object') return value;
  if (isSecretPath(path)) return REDACTED;
  return typeof value === 'string' ? redactText(value, known) : value;
}

/** The secret values a config holds, to mask them wherever they turn up in text (error messages, logs). */
export function secretsOf(value: unknown, path: ConfigPath = []): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => secretsOf(v, [...path, i]));
  if (isPlainObject(value)) return Object.entries(value).flatMap(([k, v]) => secretsOf(v, [...path, k]));
  const text = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  return text.length >= MIN_SECRET_LENGTH && isSecretPath(path) ? [text] : [];
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

/** `text` with each URL's credentials and query masked and every `known` secret replaced. */
export function redactText(text: string, known: readonly string[] = []): string {
  let out = text.includes('://') ? text.replace(URL_IN_TEXT, redactUrl) : text;
  for (const secret of known) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
  return out;
}

/** A URL with its password (or a lone user name, often a token) and query masked; any other text as it is. */
export function redactUrl(text: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  try {
    const url = new URL(text);
    if (!url.username && !url.password && !url.search) return text;
    if (url.password) url.password = 'REDACTED';
    else if (url.username) url.username = 'REDACTED';
    if (url.search) url.search = '?REDACTED';
    return url.toString();
  } catch {
    return text;
  }
}
