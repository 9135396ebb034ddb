import { describe, expect, it } from 'vitest';
import {
  type EvalOptions,
  evaluateInstant,
  evaluateRange,
  MemoryStorage,
  PromqlEvalError,
  parseExpr,
  STALE_NAN,
  type Value,
} from '../../../../core/promql/index.js';

const MIN = 60_000;

/** Appends `values[i]` at `i * stepMs` (undefined: no sample). */
function load(
  storage: MemoryStorage,
  labels: Record<string, string>,
  stepMs: number,
  values: (number | undefined)[],
) {
  values.forEach((v, i) => {
    if (v !== undefined) storage.append(labels, i * stepMs, v);
  });
}

function instant(storage: MemoryStorage, expr: string, t: number, options?: EvalOptions): Value {
  return evaluateInstant(parseExpr(expr), storage, t, options);
}

function samples(v: Value) {
  if (v.type !== 'vector') throw new Error(`expected a vector, got ${v.type}`);
  return v.samples.map((s) => ({ labels: s.labels, t: s.t, v: s.v }));
}

describe('instant selectors', () => {
  it('take the latest sample within the 5m lookback, stamped with the evaluation time', () => {
    const storage = new MemoryStorage();
    load(storage, { __name__: 'up', job: 'api' }, MIN, [1, 0]);
    expect(samples(instant(storage, 'up', 3 * MIN))).toEqual([
      { labels: { __name__: 'up', job: 'api' }, t: 3 * MIN, v: 0 },
    ]);
    expect(samples(instant(storage, 'up', 6 * MIN))).toEqual([]);
    expect(samples(instant(storage, 'up', 3 * MIN, { lookbackDeltaMs: MIN }))).toEqual([]);
    expect(samples(instant(storage, 'up', 3 * MIN, { lookbackDeltaMs: 0 }))).toHaveLength(1);
  });

  it('see nothing after a staleness marker, and the sample again before it', () => {
    const storage = new MemoryStorage();
    load(storage, { __name__: 'up' }, MIN, [1, STALE_NAN]);
    expect(samples(instant(storage, 'up', 2 * MIN))).toEqual([]);
    expect(samples(instant(storage, 'up', 30_000))).toEqual([
      { labels: { __name__: 'up' }, t: 30_000, v: 1 },
    ]);
  });

  it('read at the time offset and @ give, the result still at the evaluation time', () => {
    const storage = new MemoryStorage();
    load(storage, { __name__: 'x' }, MIN, [10, 20, 30]);
    expect(samples(instant(storage, 'x offset 1m', 2 * MIN))[0]).toMatchObject({ t: 2 * MIN, v: 20 });
    expect(samples(instant(storage, 'x @ 60', 9 * MIN))[0]).toMatchObject({ t: 9 * MIN, v: 20 });
  });
});

describe('aggregations', () => {
  it('break topk/bottomk ties in label order, as Prometheus reads series sorted by labels', () => {
    const storage = new MemoryStorage();
    for (const instance of ['c', 'a', 'b']) load(storage, { __name__: 'load', instance }, MIN, [1]);
    expect(samples(instant(storage, 'topk(2, load)', 0)).map((s) => s.labels.instance)).toEqual(['a', 'b']);
    expect(samples(instant(storage, 'bottomk(1, load)', 0)).map((s) => s.labels.instance)).toEqual(['a']);
  });

  it('keep label order when the same parsed expression reads storages that return series differently', () => {
    const expr = parseExpr('topk(3, load)');
    const orders = [
      ['b', 'a', 'c'],
      ['c', 'b', 'a'],
      ['c', 'b', 'a', 'd'],
    ].map((instances) => {
      const storage = new MemoryStorage();
      for (const instance of instances) load(storage, { __name__: 'load', instance }, MIN, [1]);
      return samples(evaluateInstant(expr, storage, 0)).map((s) => s.labels.instance);
    });
    expect(orders).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
  });

  it('sums with Kahan compensation and averages without overflowing', () => {
    const storage = new MemoryStorage();
    load(storage, { __name__: 'v', i: '1' }, MIN, [1e100]);
    load(storage, { __name__: 'v', i: '2' }, MIN, [1]);
    load(storage, { __name__: 'v', i: '3' }, MIN, [-1e100]);
    load(storage, { __name__: 'big', i: '1' }, MIN, [Number.MAX_VALUE]);
    load(storage, { __name__: 'big', i: '2' }, MIN, [Number.MAX_VALUE]);
    expect(samples(instant(storage, 'sum(v)', 0))[0]?.v).toBe(1);
    expect(samples(instant(storage, 'avg(big)', 0))[0]?.v).toBe(Number.MAX_VALUE);
  });
});

describe('__name__ removal', () => {
  const storage = new MemoryStorage();
  load(storage, { __name__: 'a_total', job: 'api' }, MIN, [0, 60, 120]);
  load(storage, { __name__: 'b_total', job: 'api' }, MIN, [0, 120, 240]);

  it('drops the name at once by default, so two metrics can collide (Prometheus server default)', () => {
    expect(samples(instant(storage, 'rate(a_total[2m])', 2 * MIN))).toEqual([
      { labels: { job: 'api' }, t: 2 * MIN, v: 1 },
    ]);
    const relabel = 'label_replace(rate({job="api"}[2m]), "metric", "$1", "__name__", "(.+)")';
    expect(() => instant(storage, relabel, 2 * MIN)).toThrow(
      new PromqlEvalError('vector cannot contain metrics with the same labelset'),
    );
  });

  it('refuses operators that leave two series of different names with one label set', () => {
    for (const expr of ['{job="api"} * 2', '-{job="api"}', 'abs({job="api"})', '{job="api"} > bool 1'])
      expect(() => instant(storage, expr, 2 * MIN), expr).toThrow(
        'vector cannot contain metrics with the same labelset',
      );
    expect(samples(instant(storage, '{job="api"} > 1', 2 * MIN))).toHaveLength(2);
  });

  it('with delayedNameRemoval, label_replace still reads the name a function will drop', () => {
    const relabel = 'label_replace(rate({job="api"}[2m]), "metric", "$1", "__name__", "(.+)")';
    const result = samples(instant(storage, relabel, 2 * MIN, { delayedNameRemoval: true }));
    expect(result).toEqual(
      expect.arrayContaining([
        { labels: { job: 'api', metric: 'a_total' }, t: 2 * MIN, v: 1 },
        { labels: { job: 'api', metric: 'b_total' }, t: 2 * MIN, v: 2 },
      ]),
    );
  });

  it('keeps the name through comparisons and last_over_time', () => {
    expect(samples(instant(storage, 'a_total > 10', 2 * MIN))[0]?.labels).toEqual({
      __name__: 'a_total',
      job: 'api',
    });
    expect(samples(instant(storage, 'last_over_time(a_total[5m])', 2 * MIN))[0]?.labels).toEqual({
      __name__: 'a_total',
      job: 'api',
    });
    expect(samples(instant(storage, 'a_total > bool 10', 2 * MIN))[0]?.labels).toEqual({ job: 'api' });
  });
});

describe('vector matching', () => {
  const storage = new MemoryStorage();
  load(storage, { __name__: 'errors', job: 'api', code: '500' }, MIN, [5]);
  load(storage, { __name__: 'errors', job: 'api', code: '502' }, MIN, [3]);
  load(storage, { __name__: 'requests', job: 'api', team: 'core' }, MIN, [100]);

  it('group_left divides each error series by its job total and copies the included label', () => {
    const result = samples(instant(storage, 'errors / on(job) group_left(team) requests', 0));
    expect(result).toEqual([
      { labels: { job: 'api', code: '500', team: 'core' }, t: 0, v: 0.05 },
      { labels: { job: 'api', code: '502', team: 'core' }, t: 0, v: 0.03 },
    ]);
  });

  it('refuses many-to-one matching without group_left, and duplicates on the "one" side, with Prometheus messages', () => {
    expect(() => instant(storage, 'errors / on(job) requests', 0)).toThrow(
      'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
    );
    expect(() => instant(storage, 'requests / on(job) group_left errors', 0)).toThrow(
      'found duplicate series for the match group {job="api"} on the right hand-side of the operation: [{__name__="errors", code="502", job="api"}, {__name__="errors", code="500", job="api"}];many-to-many matching not allowed: matching labels must be unique on one side',
    );
  });
});

describe('subqueries', () => {
  it('step at absolute multiples of the default step, which rules set to their interval', () => {
    const storage = new MemoryStorage();
    load(
      storage,
      { __name__: 'x' },
      10_000,
      Array.from({ length: 30 }, (_, i) => i),
    );
    const at = 4 * MIN + 5_000;
    expect(samples(instant(storage, 'count_over_time(x[2m:])', at))[0]?.v).toBe(2);
    expect(
      samples(instant(storage, 'count_over_time(x[2m:])', at, { noStepSubqueryIntervalMs: 15_000 }))[0]?.v,
    ).toBe(8);
  });
});

describe('evaluateRange', () => {
  const storage = new MemoryStorage();
  load(storage, { __name__: 'x', job: 'b' }, MIN, [1, 2, 3]);
  load(storage, { __name__: 'x', job: 'a' }, MIN, [4, 5, 6]);

  it('returns one series per label set, sorted by labels, with a point per step', () => {
    const result = evaluateRange(parseExpr('x * 2'), storage, 0, 2 * MIN, MIN);
    expect(result).toEqual({
      type: 'matrix',
      series: [
        {
          labels: { job: 'a' },
          points: [
            { t: 0, v: 8 },
            { t: MIN, v: 10 },
            { t: 2 * MIN, v: 12 },
          ],
        },
        {
          labels: { job: 'b' },
          points: [
            { t: 0, v: 2 },
            { t: MIN, v: 4 },
            { t: 2 * MIN, v: 6 },
          ],
        },
      ],
    });
  });

  it('gives a scalar expression one series with no labels; step() and @ start()/end() read the query', () => {
    expect(evaluateRange(parseExpr('time()'), storage, 0, MIN, MIN)).toEqual({
      type: 'matrix',
      series: [
        {
          labels: {},
          points: [
            { t: 0, v: 0 },
            { t: MIN, v: 60 },
          ],
        },
      ],
    });
    const windowed = evaluateRange(
      parseExpr('count_over_time(x{job="a"}[step()*2])'),
      storage,
      MIN,
      2 * MIN,
      MIN,
    );
    expect(windowed.type === 'matrix' && windowed.series[0]?.points.map((p) => p.v)).toEqual([2, 2]);
    const pinned = evaluateRange(parseExpr('x{job="a"} @ end()'), storage, 0, 2 * MIN, MIN);
    expect(pinned.type === 'matrix' && pinned.series[0]?.points.map((p) => p.v)).toEqual([6, 6, 6]);
  });

  it('refuses two range-vector inputs that lose their names into one label set, even at different steps', () => {
    const renamed = new MemoryStorage();
    load(renamed, { __name__: 'old_total', job: 'api' }, MIN, [0, 60, 120]);
    load(renamed, { __name__: 'new_total', job: 'api' }, MIN, [
      undefined,
      undefined,
      undefined,
      undefined,
      0,
      60,
      120,
    ]);
    const expr = parseExpr('rate({job="api"}[2m])');
    expect(() => evaluateRange(expr, renamed, 0, 6 * MIN, MIN)).toThrow(
      'vector cannot contain metrics with the same labelset',
    );
    const merged = evaluateRange(expr, renamed, 0, 6 * MIN, MIN, { delayedNameRemoval: true });
    expect(merged.type === 'matrix' && merged.series.map((s) => s.labels)).toEqual([{ job: 'api' }]);
  });

  it('refuses a range vector, as Prometheus refuses it for a range query', () => {
    expect(() => evaluateRange(parseExpr('x[5m]'), storage, 0, MIN, MIN)).toThrow(
      'invalid expression type "range vector" for range query, must be Scalar or instant Vector',
    );
  });
});

describe('evaluateInstant of a range vector', () => {
  it('returns the window points with their own times, series sorted and named', () => {
    const storage = new MemoryStorage();
    load(storage, { __name__: 'x', job: 'b' }, MIN, [1, 2, 3]);
    load(storage, { __name__: 'x', job: 'a' }, MIN, [4, STALE_NAN, 6]);
    expect(instant(storage, 'x[2m]', 2 * MIN)).toEqual({
      type: 'matrix',
      series: [
        { labels: { __name__: 'x', job: 'a' }, points: [{ t: 2 * MIN, v: 6 }] },
        {
          labels: { __name__: 'x', job: 'b' },
          points: [
            { t: MIN, v: 2 },
            { t: 2 * MIN, v: 3 },
          ],
        },
      ],
    });
  });

  it('fails on a duration expression that is not positive at run time (step() is 0 in an instant query)', () => {
    const storage = new MemoryStorage();
    expect(() => instant(storage, 'count_over_time(x[step()])', 0)).toThrow(
      'duration must be greater than 0',
    );
  });
});
