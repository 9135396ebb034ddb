// A staleness marker written with `stale` keeps its NaN bits whatever was parsed before it. V8 builds
// number arrays as double arrays once it has seen numbers there (per allocation site, so from earlier
// descriptions too), and a double array stores every NaN as the one canonical NaN: the marker became a
// plain NaN, and `tributary test-rules` showed a `NaN` sample where Prometheus shows none. Found with
// input series `1 1 1 0 0 0 stale _x5 0x10`, `1 stale 2 stale stale 3 _ 4`, `5 stale _x2 0x3`.
import { describe, expect, it } from 'vitest';
import { evaluateInstant, MemoryStorage, parseExpr } from '../../../core/promql/index.js';
import { parseSeriesDescription, seriesPoints } from '../../../core/promql/series-notation.js';
import { isStaleNaN } from '../../../core/promql/stale.js';

const DESCRIPTIONS = [
  'up{instance="a:80"} 1 1 1 0 0 0 stale _x5 0x10',
  'v{x="2"} 1 stale 2 stale stale 3 _ 4',
  'v{x="3"} 5 stale _x2 0x3',
  'w 1+1x3 stale 7x2 stale',
];

describe('stale in series descriptions, after other descriptions', () => {
  // One parse of each, in this order, in a fresh worker: what test-rules does with these input series.
  const parsed = DESCRIPTIONS.map((text) => ({ text, description: parseSeriesDescription(text) }));

  it('is a staleness marker in the values and the points of every description', () => {
    for (const { text, description } of parsed) {
      const words = text.split(' ').slice(1);
      const staleAt = description.values.flatMap((v, i) => (v !== undefined && isStaleNaN(v) ? [i] : []));
      expect({ text, staleAt }).toEqual({
        text,
        staleAt: words.flatMap((w, i) => (w === 'stale' ? [i + words.slice(0, i).reduce(extra, 0)] : [])),
      });
      const points = seriesPoints(description, 0, 60_000);
      expect(points.filter((p) => isStaleNaN(p.v)).map((p) => p.t / 60_000)).toEqual(staleAt);
    }
  });

  it('ends the series at the marker: nothing is selected there, not a NaN sample', () => {
    const storage = new MemoryStorage();
    for (const { description } of parsed)
      for (const p of seriesPoints(description, 0, 60_000)) storage.append(description.labels, p.t, p.v);
    const at = (minutes: number) => evaluateInstant(parseExpr('v'), storage, minutes * 60_000);
    expect(at(1)).toEqual({ type: 'vector', samples: [] });
    expect(at(3)).toEqual({ type: 'vector', samples: [] });
    expect(at(4)).toEqual({
      type: 'vector',
      samples: [{ labels: { __name__: 'v', x: '3' }, t: 240_000, v: 0 }],
    });
  });
});

/** The steps a word before the marker adds beyond one: `_x5` is 5, `0x10` is 11, `1+1x3` is 4. */
function extra(sum: number, word: string): number {
  const times = /x(\d+)$/.exec(word);
  if (!times) return sum;
  return sum + Number(times[1]) - (word.startsWith('_') ? 1 : 0);
}
