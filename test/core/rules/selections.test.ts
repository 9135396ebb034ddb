import { describe, expect, it } from 'vitest';
import type { Series } from '../../../core/promql/index.js';
import { SelectionCache } from '../../../core/rules/selections.js';

const series = (n: number): Series[] =>
  Array.from({ length: n }, (_, i) => ({ labels: { i: String(i) }, points: [] }));
const named = (name: string) => [{ name: '__name__', op: '=' as const, value: name }];

describe('the answers the window keeps for its selectors', () => {
  it('are shared by selectors written alike, for one span and stamp', () => {
    const cache = new SelectionCache(100);
    let selected = 0;
    const select = () => {
      selected++;
      return series(2);
    };
    const answer = cache.get(named('x'), 0, 10, 1, select);
    expect(cache.get(named('x'), 0, 10, 1, select)).toBe(answer);
    expect(selected).toBe(1);
    expect(cache.get(named('x'), 0, 11, 1, select)).not.toBe(answer);
    expect(cache.get(named('x'), 0, 11, 2, select)).not.toBe(answer);
    expect(selected).toBe(3);
  });

  it('hold at most the window’s series cap across selectors: past it they are all forgotten', () => {
    const cache = new SelectionCache(3);
    const x = cache.get(named('x'), 0, 10, 1, () => series(2));
    expect(cache.get(named('x'), 0, 10, 1, () => series(2))).toBe(x);
    cache.get(named('y'), 0, 10, 1, () => series(2));
    expect(cache.get(named('x'), 0, 10, 1, () => series(2))).not.toBe(x);
  });
});
