/*
 * A compact protobuf decoder driven by message tables (messages.ts). It turns an OTLP request into
 * the shape OTLP/JSON has (camelCase keys, ids as hex), so one converter serves both encodings.
 * @opentelemetry/otlp-transformer serializes requests but has no public request deserializer.
 */

/** How a field's value is read and shown: `id` is bytes as lower-case hex, 64-bit fixed as bigint. */
export type Scalar =
  | 'string'
  | 'bytes'
  | 'id'
  | 'bool'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'sint32'
  | 'fixed32'
  | 'fixed64'
  | 'sfixed64'
  | 'double';

export interface Field {
  name: string;
  type: Scalar | Message;
  repeated?: boolean;
}
/** A message type: its fields by number. Unknown numbers are skipped, as protobuf says. */
export type Message = Record<number, Field>;

/** A body that is not a valid message of the expected type. */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

// Nesting past this (AnyValue inside AnyValue...) is refused instead of exhausting the stack.
const MAX_DEPTH = 64;
const WIRE_OF: Record<Scalar, number> = {
  string: 2,
  bytes: 2,
  id: 2,
  bool: 0,
  uint32: 0,
  int64: 0,
  uint64: 0,
  sint32: 0,
  fixed32: 5,
  fixed64: 1,
  sfixed64: 1,
  double: 1,
};
const utf8 = new TextDecoder('utf-8');

/** Decodes `bytes` as one message of type `type`. Throws a DecodeError when they are not one. */
export function decodeMessage(type: Message, bytes: Uint8Array): Record<string, unknown> {
  const reader = new Reader(bytes);
  return reader.message(type, bytes.length, 0);
}

function append(out: Record<string, unknown>, name: string, value: unknown): void {
  const list = out[name] as unknown[] | undefined;
  if (list) list.push(value);
  else out[name] = [value];
}

class Reader {
  pos = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  message(type: Message, end: number, depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) throw new DecodeError(`messages nested deeper than ${MAX_DEPTH}`);
    const out: Record<string, unknown> = {};
    while (this.pos < end) {
      const tag = this.varint();
      const wire = tag & 7;
      const field = type[Math.floor(tag / 8)];
      if (!field) {
        this.skip(wire, end);
        continue;
      }
      const { name, repeated } = field;
      if (repeated && wire === 2 && typeof field.type === 'string' && WIRE_OF[field.type] !== 2) {
        // A packed run of numbers.
        const runEnd = this.lengthEnd(end);
        while (this.pos < runEnd) append(out, name, this.scalar(field.type, runEnd));
        continue;
      }
      const expected = typeof field.type === 'string' ? WIRE_OF[field.type] : 2;
      if (wire !== expected) {
        throw new DecodeError(`field ${name} has wire type ${wire}, expected ${expected}`);
      }
      const value =
        typeof field.type === 'string'
          ? this.scalar(field.type, end)
          : this.message(field.type, this.lengthEnd(end), depth + 1);
      if (repeated) append(out, name, value);
      else if (typeof field.type !== 'string' && out[name] !== undefined) {
        // A message field seen twice merges, as protobuf says; OTLP senders do not split them.
        Object.assign(out[name] as object, value);
      } else out[name] = value;
    }
    if (this.pos !== end) throw new DecodeError('a field runs past the end of its message');
    return out;
  }

  private scalar(type: Scalar, end: number): unknown {
    switch (type) {
      case 'string':
        return utf8.decode(this.lengthDelimited(end));
      case 'bytes':
        // A copy, as a plain Uint8Array: a view would keep the whole request body alive.
        return new Uint8Array(this.lengthDelimited(end));
      case 'id': {
        const bytes = this.lengthDelimited(end);
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
      }
      case 'bool':
        return this.varint() !== 0;
      case 'uint32':
        return this.varint() >>> 0;
      case 'int64':
        return Number(BigInt.asIntN(64, this.varint64()));
      case 'uint64':
        return Number(this.varint64());
      case 'sint32': {
        const n = this.varint() >>> 0;
        return (n >>> 1) ^ -(n & 1);
      }
      case 'fixed32':
        return this.view.getUint32(this.advance(4, end), true);
      case 'fixed64':
        return this.view.getBigUint64(this.advance(8, end), true);
      case 'sfixed64':
        return this.view.getBigInt64(this.advance(8, end), true);
      default:
        return this.view.getFloat64(this.advance(8, end), true);
    }
  }

  /** Moves past `n` bytes and returns where they start. */
  private advance(n: number, end: number): number {
    const at = this.pos;
    if (at + n > end) throw new DecodeError('truncated message');
    this.pos = at + n;
    return at;
  }

  /** The bytes a length prefix announces, as a view; the reader moves past them. */
  private lengthDelimited(end: number): Uint8Array {
    const stop = this.lengthEnd(end);
    const bytes = this.bytes.subarray(this.pos, stop);
    this.pos = stop;
    return bytes;
  }

  /** Reads a length prefix; returns where the bytes it announces end. */
  private lengthEnd(end: number): number {
    const length = this.varint();
    const stop = this.pos + length;
    if (stop > end) throw new DecodeError('a length runs past the end of its message');
    return stop;
  }

  /** A varint's low 32 bits as an unsigned number (the rest of it is read and dropped). */
  private varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.bytes.length) throw new DecodeError('truncated varint');
      const byte = this.bytes[this.pos++] as number;
      if (shift < 32) result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result % 2 ** 32;
      shift += 7;
      if (shift >= 70) throw new DecodeError('a varint longer than 10 bytes');
    }
  }

  private varint64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.bytes.length) throw new DecodeError('truncated varint');
      const byte = this.bytes[this.pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asUintN(64, result);
      shift += 7n;
      if (shift >= 70n) throw new DecodeError('a varint longer than 10 bytes');
    }
  }

  private skip(wire: number, end: number): void {
    switch (wire) {
      case 0:
        this.varint64();
        return;
      case 1:
        this.advance(8, end);
        return;
      case 2:
        this.pos = this.lengthEnd(end);
        return;
      case 5:
        this.advance(4, end);
        return;
      default:
        throw new DecodeError(`unsupported wire type ${wire}`);
    }
  }
}
