import type { Batch, Signal } from '../../signals.js';
import { logsOf } from './logs.js';
import { REQUESTS } from './messages.js';
import { metricsOf } from './metrics.js';
import { DecodeError, decodeMessage } from './protobuf.js';
import { spansOf } from './traces.js';
import type { Converted, Json } from './values.js';

export type RequestEncoding = 'proto' | 'json';

const CONVERTERS = { traces: spansOf, metrics: metricsOf, logs: logsOf } as const;

/** An export request body as a batch of `signal`. Throws a DecodeError when the body is not one. */
export function decodeRequest<S extends Signal>(
  signal: S,
  encoding: RequestEncoding,
  body: Uint8Array,
): Converted<Batch<S>[number]> {
  const request = encoding === 'proto' ? decodeMessage(REQUESTS[signal], body) : parseJson(body);
  return CONVERTERS[signal](request) as Converted<Batch<S>[number]>;
}

function parseJson(body: Uint8Array): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (err) {
    throw new DecodeError(`not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DecodeError('expected a JSON object');
  }
  return parsed as Json;
}
