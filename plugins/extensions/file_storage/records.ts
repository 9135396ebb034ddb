/*
 * The store's file is an append-only log of records:
 *
 *   magic "TRB1" (4) | payload length u32 BE (4) | crc32 of the payload u32 BE (4) | payload
 *   payload: op u8 (1 set, 2 delete) | key length u16 BE | key (UTF-8) | value (set only)
 *
 * A record is whole or it is not there: a crash mid-write leaves a tail whose length or checksum
 * does not match, and the reader skips to the next record that does (the magic finds candidates).
 */

const MAGIC = Buffer.from('TRB1', 'latin1');
const HEADER_BYTES = 12;
const OP_SET = 1;
const OP_DELETE = 2;
const MAX_KEY_BYTES = 0xffff;

/** A record found in the log: where its value lies, so only the index is kept in memory. */
export interface LogRecord {
  key: string;
  /** undefined for a delete. */
  value?: { offset: number; length: number };
  /** Where the record starts and how many bytes it takes, header included. */
  offset: number;
  bytes: number;
}

/** Bytes of the log that are not a whole record: moved aside by the store. */
export interface BadRange {
  offset: number;
  end: number;
  reason: string;
}

export function setRecord(key: string, value: Uint8Array): Buffer {
  return record(OP_SET, key, value);
}

export function deleteRecord(key: string): Buffer {
  return record(OP_DELETE, key, undefined);
}

/** Where a set record's value starts, counted from the record's start. */
export function valueStart(key: string): number {
  return HEADER_BYTES + 3 + Buffer.byteLength(key);
}

function record(op: number, key: string, value: Uint8Array | undefined): Buffer {
  const keyBytes = Buffer.byteLength(key);
  if (keyBytes > MAX_KEY_BYTES) throw new RangeError(`a storage key is at most ${MAX_KEY_BYTES} bytes`);
  const payloadBytes = 3 + keyBytes + (value?.byteLength ?? 0);
  const buf = Buffer.allocUnsafe(HEADER_BYTES + payloadBytes);
  MAGIC.copy(buf, 0);
  buf.writeUInt32BE(payloadBytes, 4);
  buf.writeUInt8(op, HEADER_BYTES);
  buf.writeUInt16BE(keyBytes, HEADER_BYTES + 1);
  buf.write(key, HEADER_BYTES + 3, 'utf8');
  if (value) buf.set(value, HEADER_BYTES + 3 + keyBytes);
  buf.writeUInt32BE(crc32(buf, HEADER_BYTES, buf.length), 8);
  return buf;
}

/** Reads every record of `log` in order, and the ranges between them that are not records. */
export function scan(log: Buffer): { records: LogRecord[]; bad: BadRange[] } {
  const records: LogRecord[] = [];
  const bad: BadRange[] = [];
  let at = 0;
  while (at < log.length) {
    const found = readAt(log, at);
    if (typeof found !== 'string') {
      records.push(found);
      at += found.bytes;
      continue;
    }
    const next = nextRecord(log, at + 1);
    bad.push({ offset: at, end: next, reason: next === log.length ? `${found} (the tail)` : found });
    at = next;
  }
  return { records, bad };
}

/** Whether a record read back from the file is still whole (the disk may have changed it since it was written). */
export function checkRecord(bytes: Buffer): boolean {
  return (
    bytes.length >= HEADER_BYTES &&
    bytes.subarray(0, 4).equals(MAGIC) &&
    bytes.readUInt32BE(4) === bytes.length - HEADER_BYTES &&
    bytes.readUInt32BE(8) === crc32(bytes, HEADER_BYTES, bytes.length)
  );
}

function nextRecord(log: Buffer, from: number): number {
  for (let at = log.indexOf(MAGIC, from); at !== -1; at = log.indexOf(MAGIC, at + 1)) {
    if (typeof readAt(log, at) !== 'string') return at;
  }
  return log.length;
}

/** The record at `at`, or why there is none. */
function readAt(log: Buffer, at: number): LogRecord | string {
  if (log.length - at < HEADER_BYTES) return 'a record header cut short';
  if (!log.subarray(at, at + 4).equals(MAGIC)) return 'no record starts here';
  const payloadBytes = log.readUInt32BE(at + 4);
  const start = at + HEADER_BYTES;
  const end = start + payloadBytes;
  if (payloadBytes < 3 || end > log.length) return 'a record cut short';
  if (log.readUInt32BE(at + 8) !== crc32(log, start, end)) return 'a record whose checksum does not match';
  const op = log.readUInt8(start);
  const keyBytes = log.readUInt16BE(start + 1);
  const valueAt = start + 3 + keyBytes;
  if (valueAt > end || (op !== OP_SET && op !== OP_DELETE)) return 'a record of an unknown kind';
  const key = log.toString('utf8', start + 3, valueAt);
  const value = op === OP_SET ? { offset: valueAt, length: end - valueAt } : undefined;
  return { key, value, offset: at, bytes: end - at };
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE, as zlib's): zlib.crc32 needs Node 20.15, the engine runs from 20.6. */
export function crc32(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++)
    crc = (CRC_TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
