/**
 * Tool arguments and results as recorded when capture is on: JSON, values under secret-looking keys
 * masked at any depth, cut to `maxLength` characters.
 */
export function captureValue(value: unknown, redactKeys: readonly string[], maxLength: number): string {
  const keys = redactKeys.map((k) => k.toLowerCase());
  let text: string;
  try {
    text =
      JSON.stringify(value, (key, v) =>
        key && keys.some((k) => key.toLowerCase().includes(k)) ? '[REDACTED]' : v,
      ) ?? String(value);
  } catch {
    text = '[unserializable]';
  }
  return text.length > maxLength ? `${text.slice(0, maxLength)}…[${text.length - maxLength} more]` : text;
}
