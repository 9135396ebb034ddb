const UNITS: readonly [string, number][] = [
  ['y', 365 * 24 * 3_600_000],
  ['w', 7 * 24 * 3_600_000],
  ['d', 24 * 3_600_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/**
 * A Prometheus duration (`1h30m`, `5m`, `0`, units y w d h m s ms, largest first) in milliseconds, as
 * model.ParseDuration reads it; undefined when it is not one. `-` is allowed only with `allowNegative`.
 */
export function parseDuration(text: string, allowNegative = false): number | undefined {
  const negative = allowNegative && text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  if (body === '0') return 0;
  const m = body === '' ? null : DURATION.exec(body);
  if (!m) return undefined;
  let ms = 0;
  UNITS.forEach(([, size], i) => {
    const n = m[i + 1];
    if (n !== undefined) ms += Number(n) * size;
  });
  return negative ? -ms : ms;
}

/** A duration as Prometheus prints one (model.Duration.String): `1h30m`, `5m`, `0s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let left = ms;
  let out = '';
  for (const [unit, size] of UNITS) {
    const n = Math.floor(left / size);
    if (n > 0) {
      out += `${n}${unit}`;
      left -= n * size;
    }
  }
  return out;
}
