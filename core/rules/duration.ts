import { parseDurationMs } from '../promql/parse/literals.js';

/**
 * A Prometheus duration (`1h30m`, `5m`, `0`: units y w d h m s ms, largest first) in milliseconds, as
 * model.ParseDuration reads it in rule files; undefined when it is not one. A leading `-` only with
 * `allowNegative` (the template function parseDuration).
 */
export function parseDuration(text: string, allowNegative = false): number | undefined {
  const negative = allowNegative && text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const ms = body === '0' ? 0 : parseDurationMs(body);
  return ms === undefined ? undefined : negative ? -ms : ms;
}
