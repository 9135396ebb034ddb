const SECRET = /password|passwd|token|secret|api[_-]?key|authorization|credential|private[_-]?key|cookie/i;
/** Maps whose every value is a credential more often than not. */
const ALL_SECRET = /^headers$/i;
const REDACTED = '[REDACTED]';

/**
 * A copy of a config with secrets replaced, for print-config and logs: values of secret-looking keys,
 * every header value, and the user info and query of URLs (`https://user:pass@host/?api_key=...`).
 */
export function redactSecrets(value: unknown, secret = false): unknown {
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, secret));
  if (value === null || value === undefined) return value;
  if (typeof value !== 'object')
    return secret ? REDACTED : typeof value === 'string' ? redactUrl(value) : value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      redactSecrets(v, secret || SECRET.test(k) || ALL_SECRET.test(k)),
    ]),
  );
}

/** A URL with its password and query masked; any other text as it is. */
export function redactUrl(text: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  try {
    const url = new URL(text);
    if (!url.password && !url.search) return text;
    if (url.password) url.password = 'REDACTED';
    if (url.search) url.search = '?REDACTED';
    return url.toString();
  } catch {
    return text;
  }
}
