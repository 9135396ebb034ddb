// The decoder on damaged bodies: every one decodes or is a DecodeError (a 400), never another
// exception (a 500) or a hang. Deterministic: a fixed-seed generator damages real SDK requests.
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { decodeRequest } from '../../../core/otlp/decode/convert.js';
import { DecodeError } from '../../../core/otlp/decode/protobuf.js';
import { makeLogs, makeSpans } from '../../../core/testing/index.js';

function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('otlp receiver: protobuf decoding of damaged bodies', () => {
  it('answers every damaged request with a decode or a DecodeError', () => {
    const random = generator(42);
    const bodies = {
      traces: ProtobufTraceSerializer.serializeRequest(makeSpans(5)) as Uint8Array,
      logs: ProtobufLogsSerializer.serializeRequest(makeLogs(['a', 'b'])) as Uint8Array,
    };
    const outcomes = { decoded: 0, refused: 0, other: [] as string[] };
    for (let i = 0; i < 2000; i++) {
      for (const [signal, body] of Object.entries(bodies) as ['traces' | 'logs', Uint8Array][]) {
        const damaged = Buffer.from(body);
        for (let f = 0; f < 1 + Math.floor(random() * 4); f++) {
          damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
        }
        const cut = random() < 0.3 ? damaged.subarray(0, Math.floor(random() * damaged.length)) : damaged;
        try {
          decodeRequest(signal, 'proto', cut);
          outcomes.decoded++;
        } catch (err) {
          if (err instanceof DecodeError) outcomes.refused++;
          else outcomes.other.push(String(err));
        }
      }
    }
    expect(outcomes.other).toEqual([]);
    expect(outcomes.decoded).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});

describe('otlp receiver: JSON bodies with null where a message belongs', () => {
  // Found by test/fuzz/otlp-receiver.test.ts: a null element of a repeated message field was a 500.
  it.each([
    ['traces', '{"resourceSpans":[null]}', 'resourceSpans[0]: expected an object'],
    [
      'traces',
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5e6de3dfb3519652381c75aa7bb509e1","spanId":"b15bc5e53340f1f3","events":[null]}]}]}]}',
      'events[0]',
    ],
    ['logs', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[null]}]}]}]}', 'attributes'],
    ['metrics', '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[null]}]}]}', 'metrics[0]'],
  ] as const)('%s %s is a DecodeError naming %s', (signal, body, field) => {
    expect(() => decodeRequest(signal, 'json', Buffer.from(body))).toThrow(DecodeError);
    expect(() => decodeRequest(signal, 'json', Buffer.from(body))).toThrow(field);
  });
});
