const SECRET = /password|passwd|token|secret|api[_-]?key|authorization|credential|private[_-]?key|cookie/i;

/** A copy of a config with the values of secret-looking keys replaced, for print-config and logs. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      SECRET.test(k) && v !== null && typeof v !== 'object' ? '[REDACTED]' : redactSecrets(v),
    ]),
  );
}
