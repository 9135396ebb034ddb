// The filelog receiver's readers on any input: the record parser answers any text with a record (its
// error said, never thrown); the record splitter cuts any bytes into the same records however they
// arrive across polls, never one past max_log_size, with offsets that move forward and end on line ends.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordParser } from '../../plugins/receivers/filelog/parse.js';
import { type RecordText, recordsSplitter } from '../../plugins/receivers/filelog/records.js';
import { fuzzSettings, fuzzTimeout } from './settings.js';

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        timestamp: fc.oneof(
          fc.string(),
          fc.date().map((d) => (Number.isNaN(d.getTime()) ? '' : d.toISOString())),
          fc.integer(),
        ),
        level: fc.string(),
        message: fc.string(),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

describe('fuzz: filelog parsers', () => {
  it(
    'parse any text into a record, json or regex, whatever the time and severity say',
    () => {
      const parsers = [
        recordParser({
          parser: { type: 'json' },
          timestamp: { parse_from: 'attributes.timestamp', layout: 'iso8601' },
          severity: { parse_from: 'attributes.level' },
          body_from: 'attributes.message',
        }),
        recordParser({
          parser: { type: 'json' },
          timestamp: { parse_from: 'attributes.timestamp', layout: 'epoch_ms' },
          severity: undefined,
          body_from: undefined,
        }),
        recordParser({
          parser: { type: 'regex', regex: '^(?<time>\\S+) (?<level>\\w+) (?<msg>.*)$' },
          timestamp: { parse_from: 'attributes.time', layout: 'epoch_s' },
          severity: { parse_from: 'attributes.level' },
          body_from: undefined,
        }),
      ];
      fc.assert(
        fc.property(jsonish, fc.nat({ max: 2 }), (text, which) => {
          const record = (parsers[which] as (typeof parsers)[number])(text);
          expect(typeof record.body).toBe('string');
          if (record.timeMs !== undefined) expect(Number.isFinite(record.timeMs)).toBe(true);
          expect(record.severityNumber).toBeGreaterThanOrEqual(0);
        }),
        fuzzSettings(2000),
      );
    },
    fuzzTimeout(2000, 1, 1),
  );

  it(
    'split any bytes into the same records however polls cut them, none longer than max_log_size',
    () => {
      const bytes = fc
        .array(
          fc.oneof(
            fc.constantFrom('\n', '\r\n', 'START ', 'END\n', 'x'.repeat(30)),
            fc.string({ maxLength: 12 }),
          ),
          { maxLength: 40 },
        )
        .map((parts) => Buffer.from(parts.join('')));
      const multiline = fc.constantFrom(
        undefined,
        { line_start_pattern: '^START' },
        { line_end_pattern: 'END$' },
      );
      fc.assert(
        fc.property(
          bytes,
          multiline,
          fc.integer({ min: 4, max: 64 }),
          fc.array(fc.nat(), { maxLength: 6 }),
          (data, ml, max, cuts) => {
            const split = recordsSplitter(max, ml);
            /** The file read as the receiver reads it: from its offset up to a growing size, then final. */
            const read = (sizes: number[]) => {
              const records: RecordText[] = [];
              let offset = 0;
              let skipping = false;
              for (const [i, size] of sizes.entries()) {
                const final = i === sizes.length - 1;
                if (offset >= size) continue;
                const r = split(data.subarray(offset, size), offset, skipping, final ? 'final' : undefined);
                for (const rec of r.records) {
                  expect(rec.end).toBeGreaterThan(offset);
                  offset = rec.end;
                }
                records.push(...r.records);
                if (r.skipping) {
                  offset = size;
                  skipping = true;
                } else if (r.records.length) skipping = false;
              }
              return records;
            };
            const whole = read([data.length]);
            const sizes = [...new Set(cuts.map((c) => (data.length ? c % data.length : 0)))].sort(
              (a, b) => a - b,
            );
            const polled = read([...sizes, data.length]);
            for (const r of whole) expect(r.text.length).toBeLessThanOrEqual(max);
            // Empty records are not handed on.
            const texts = (rs: RecordText[]) => rs.map((r) => r.text).filter((t) => t !== '');
            expect(texts(polled)).toEqual(texts(whole));
          },
        ),
        fuzzSettings(1500),
      );
    },
    fuzzTimeout(1500, 1, 1),
  );
});
