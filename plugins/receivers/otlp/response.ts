import type { RequestEncoding } from '../../../core/otlp/decode/convert.js';
import type { Signal } from '../../../core/signals.js';

/*
 * What the receiver answers, in the request's encoding as the OTLP/HTTP specification says: an
 * Export*ServiceResponse on success (with partial_success when items were rejected), a
 * google.rpc.Status on failure.
 */

const REJECTED_KEYS: Record<Signal, string> = {
  traces: 'rejectedSpans',
  metrics: 'rejectedDataPoints',
  logs: 'rejectedLogRecords',
};

export const CONTENT_TYPES: Record<RequestEncoding, string> = {
  proto: 'application/x-protobuf',
  json: 'application/json',
};

/** `Export*ServiceResponse { partial_success = 1 { rejected_* = 1 (int64), error_message = 2 } }`. */
export function exportResponse(
  signal: Signal,
  encoding: RequestEncoding,
  rejected: number,
  errorMessage: string,
): Buffer {
  if (encoding === 'json') {
    const partialSuccess = { [REJECTED_KEYS[signal]]: String(rejected), errorMessage };
    return Buffer.from(JSON.stringify(rejected > 0 ? { partialSuccess } : {}));
  }
  if (rejected === 0) return Buffer.alloc(0);
  return lengthDelimited(1, Buffer.concat([varintField(1, rejected), stringField(2, errorMessage)]));
}

/** `google.rpc.Status { code = 1 (a gRPC code), message = 2 }`. */
export function statusResponse(encoding: RequestEncoding, grpcCode: number, message: string): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code: grpcCode, message }));
  return Buffer.concat([varintField(1, grpcCode), stringField(2, message)]);
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let rest = n;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

const varintField = (field: number, n: number) => Buffer.concat([varint(field * 8), varint(n)]);
const lengthDelimited = (field: number, bytes: Buffer) =>
  Buffer.concat([varint(field * 8 + 2), varint(bytes.length), bytes]);
const stringField = (field: number, text: string) => lengthDelimited(field, Buffer.from(text, 'utf8'));
