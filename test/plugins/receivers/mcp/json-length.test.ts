import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonLength } from '../../../../plugins/receivers/mcp/json-length.js';
import { fuzzSettings } from '../../../fuzz/settings.js';

describe('jsonLength', () => {
  it('is the length of JSON.stringify for any JSON value, escapes and unicode included', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(jsonLength(value)).toBe(JSON.stringify(value).length);
      }),
      fuzzSettings(2_000),
    );
  });

  it('skips what JSON.stringify skips and follows toJSON', () => {
    const value = {
      a: undefined,
      f: () => 1,
      list: [undefined, () => 1, Number.NaN, -0, 1e21],
      when: new Date(0),
      text: 'line\nbreak "quoted" \u0001 \ud800 é',
    };
    expect(jsonLength(value)).toBe(JSON.stringify(value).length);
    expect(jsonLength(undefined)).toBeUndefined();
  });
});
