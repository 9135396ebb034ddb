import { PermanentError } from '../component.js';
import type { Batch, Signal } from '../signals.js';
import { toJsonLines } from './json-lines.js';
import { toOtlpJsonLines } from './otlp-json.js';

export {
  jsonResource,
  logRecordToJsonLine,
  logsToJsonLines,
  metricsToJsonLines,
  resourceMetricsToJsonLines,
  SPAN_KINDS,
  spansToJsonLines,
  spanToJsonLine,
  toJsonLines,
} from './json-lines.js';
export { hrTimeToMs, isoTime, jsonAttributes, jsonTime, jsonValue } from './json-value.js';
export { toOtlpJsonLines } from './otlp-json.js';

/** The line encodings an exporter can write: `json` (one item per line) or `otlp_json` (one request per line). */
export const ENCODINGS = ['json', 'otlp_json'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/**
 * A batch as the bytes of complete lines, ready for one write. Empty for an empty batch.
 * Data that cannot be encoded at all (a malformed item from a decoding receiver) is a PermanentError:
 * retrying the same batch cannot help.
 */
export function encodeBatch<S extends Signal>(encoding: Encoding, signal: S, batch: Batch<S>): Buffer {
  try {
    return encoding === 'otlp_json'
      ? toOtlpJsonLines(signal, batch)
      : Buffer.from(toJsonLines(signal, batch), 'utf8');
  } catch (err) {
    throw new PermanentError(
      `cannot encode ${signal} as ${encoding}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}
