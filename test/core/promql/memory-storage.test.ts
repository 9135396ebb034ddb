import { describe, expect, it } from 'vitest';
import { isStaleNaN, MemoryStorage, STALE_NAN } from '../../../core/promql/index.js';

describe('MemoryStorage', () => {
  it('selects matching series with their points in [minT, maxT], oldest first, whatever the append order', () => {
    const storage = new MemoryStorage();
    const up = { __name__: 'up', job: 'api' };
    storage.append(up, 30_000, 3);
    storage.append(up, 10_000, 1);
    storage.append(up, 20_000, 2);
    storage.append(up, 20_000, 22);
    storage.append({ __name__: 'up', job: 'db' }, 10_000, 5);
    const selected = [...storage.select([{ name: 'job', op: '=~', value: 'a.*' }], 10_000, 20_000)];
    expect(selected).toEqual([
      {
        labels: up,
        points: [
          { t: 10_000, v: 1 },
          { t: 20_000, v: 22 },
        ],
      },
    ]);
  });

  it('keeps the staleness marker bit pattern and forgets everything on clear()', () => {
    const storage = new MemoryStorage();
    storage.append({ __name__: 'x' }, 0, 1);
    storage.append({ __name__: 'x' }, 1000, STALE_NAN);
    storage.append({ __name__: 'x' }, 2000, Number.NaN);
    const [series] = [...storage.select([{ name: '__name__', op: '=', value: 'x' }], 0, 5000)];
    expect(series?.points.map((p) => isStaleNaN(p.v))).toEqual([false, true, false]);
    storage.clear();
    expect([...storage.select([], 0, 5000)]).toEqual([]);
  });

  it('matches an absent label as the empty string, as Prometheus does', () => {
    const storage = new MemoryStorage();
    storage.append({ __name__: 'a' }, 0, 1);
    storage.append({ __name__: 'a', env: 'prod' }, 0, 2);
    const selected = [...storage.select([{ name: 'env', op: '=', value: '' }], 0, 0)];
    expect(selected.map((s) => s.labels)).toEqual([{ __name__: 'a' }]);
  });
});
