// file_storage's log reader on any damage: a store file cut short, with bytes flipped or garbage
// inserted, is read without an exception; every record it gives back is one that was written, whole;
// and what it gives back plus what it moves aside covers the file exactly, in order.

import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, deleteRecord, scan, setRecord } from '../../plugins/extensions/file_storage/records.js';
import { fuzzSettings, fuzzTimeout } from './settings.js';

const op = fc.record({
  key: fc.string({ maxLength: 24 }),
  value: fc.option(fc.uint8Array({ maxLength: 64 }), { nil: undefined }),
});
const ops = fc.array(op, { maxLength: 20 });
type Op = { key: string; value: Uint8Array | undefined };

const encode = (list: Op[]) =>
  Buffer.concat(list.map(({ key, value }) => (value ? setRecord(key, value) : deleteRecord(key))));

/** What a record found in `log` says: its key and value (undefined for a delete). */
function written(log: Buffer, record: ReturnType<typeof scan>['records'][number]): string {
  const value = record.value
    ? log.subarray(record.value.offset, record.value.offset + record.value.length).toString('hex')
    : '-';
  return `${record.key}=${value}`;
}
const expected = ({ key, value }: Op) => `${key}=${value ? Buffer.from(value).toString('hex') : '-'}`;

const damage = fc.record({
  flips: fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { maxLength: 4 }),
  cutAt: fc.option(fc.nat(), { nil: undefined }),
  insert: fc.option(fc.record({ at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }), {
    nil: undefined,
  }),
});

describe('file_storage records', () => {
  it('checksums as zlib does (CRC-32, IEEE)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        expect(crc32(bytes, 0, bytes.length)).toBe(zlibCrc32(bytes));
      }),
      fuzzSettings(300),
    );
  });

  it('reads back every record written, in order, and nothing else', { timeout: fuzzTimeout(300) }, () => {
    fc.assert(
      fc.property(ops, (list) => {
        const log = encode(list);
        const { records, bad } = scan(log);
        expect(bad).toEqual([]);
        expect(records.map((r) => written(log, r))).toEqual(list.map(expected));
      }),
      fuzzSettings(300),
    );
  });

  it('reads a damaged file without throwing: whole written records, the rest moved aside, the file covered', {
    timeout: fuzzTimeout(500),
  }, () => {
    fc.assert(
      fc.property(ops, damage, (list, { flips, cutAt, insert }) => {
        let log = encode(list);
        for (const { at, byte } of flips) if (log.length > 0) log[at % log.length] = byte;
        if (insert) {
          const at = insert.at % (log.length + 1);
          log = Buffer.concat([log.subarray(0, at), insert.bytes, log.subarray(at)]);
        }
        if (cutAt !== undefined) log = log.subarray(0, cutAt % (log.length + 1));

        const { records, bad } = scan(log);
        const originals = new Set(list.map(expected));
        for (const record of records) expect(originals.has(written(log, record))).toBe(true);
        const pieces = [
          ...records.map((r) => [r.offset, r.offset + r.bytes]),
          ...bad.map((b) => [b.offset, b.end]),
        ].sort((a, b) => (a[0] as number) - (b[0] as number));
        let at = 0;
        for (const [start, end] of pieces) {
          expect(start).toBe(at);
          expect(end as number).toBeGreaterThan(start as number);
          at = end as number;
        }
        expect(at).toBe(log.length);
      }),
      fuzzSettings(500),
    );
  });
});
