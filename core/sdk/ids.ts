import { randomFillSync } from 'node:crypto';

/**
 * Random bytes drawn from the system's generator at a time, kept as hex: an id is then a slice of
 * one string (V8 shares the characters), where the SDK's generator calls Math.random four to six
 * times and formats each id.
 */
const POOL_BYTES = 4096;
const bytes = Buffer.allocUnsafe(POOL_BYTES);
let hex = '';
let used = 0;

const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/** A new W3C trace id: 16 random bytes as lowercase hex, never all zeros. */
export function randomTraceId(): string {
  const id = randomHex(32);
  return id === ZERO_TRACE_ID ? randomTraceId() : id;
}

/** A new W3C span id: 8 random bytes as lowercase hex, never all zeros. */
export function randomSpanId(): string {
  const id = randomHex(16);
  return id === ZERO_SPAN_ID ? randomSpanId() : id;
}

function randomHex(digits: number): string {
  if (used + digits > hex.length) {
    randomFillSync(bytes);
    hex = bytes.toString('hex');
    used = 0;
  }
  used += digits;
  return hex.slice(used - digits, used);
}
