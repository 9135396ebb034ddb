// The promqltest runner itself: a wrong expectation, a missing failure and a wrong order must fail,
// or the 3.14 test files passing would prove nothing.
import { describe, expect, it } from 'vitest';
import { runCase, Session } from './run.js';
import { type Eval, parseScript } from './script.js';

function run(script: string): void {
  const commands = parseScript(script);
  const session = new Session(commands);
  commands.forEach((c, i) => {
    if (c.kind === 'eval') runCase(c, session.advanceTo(i));
  });
}

const LOAD = `
load 1m
  requests{job="a"} 0+10x10
  requests{job="b"} 0+20x10
`;

describe('promqltest runner', () => {
  it('passes a right instant, range and scalar expectation', () => {
    expect(() =>
      run(`${LOAD}
eval instant at 5m requests
  requests{job="a"} 50
  requests{job="b"} 100

eval range from 0 to 2m step 1m requests{job="a"} * 2
  {job="a"} 0 20 40

eval instant at 1m 1 + 1
  2

eval_ordered instant at 5m sort_desc(requests)
  requests{job="b"} 100
  requests{job="a"} 50
`),
    ).not.toThrow();
  });

  it('fails a wrong value, a missing series and an extra one', () => {
    expect(() => run(`${LOAD}\neval instant at 5m requests{job="a"}\n  requests{job="a"} 51\n`)).toThrow(
      'expected 51 for {__name__="requests", job="a"} but got 50',
    );
    expect(() => run(`${LOAD}\neval instant at 5m requests{job="a"}\n`)).toThrow(/unexpected metric/);
    expect(() => run(`${LOAD}\neval instant at 5m requests{job="c"}\n  requests{job="c"} 1\n`)).toThrow(
      /not found/,
    );
    expect(() =>
      run(`${LOAD}\neval range from 0 to 2m step 1m requests{job="a"}\n  requests{job="a"} 0 10 21\n`),
    ).toThrow(/to be 21, but got 20/);
  });

  it('fails a wrong order only when the order is asked for', () => {
    const body = 'sort(requests)\n  requests{job="b"} 100\n  requests{job="a"} 50\n';
    expect(() => run(`${LOAD}\neval instant at 5m ${body}`)).not.toThrow();
    expect(() => run(`${LOAD}\neval_ordered instant at 5m ${body}`)).toThrow(/at position 2 but was at 1/);
  });

  it('fails when an expected failure does not happen or says something else', () => {
    expect(() => run(`${LOAD}\neval instant at 5m requests\n  expect fail\n`)).toThrow(/but got none/);
    expect(() =>
      run(`${LOAD}\neval instant at 5m rate(requests)\n  expect fail msg: something else\n`),
    ).toThrow(/expected error "something else"/);
    expect(() =>
      run(`${LOAD}\neval instant at 5m rate(requests)\n  expect fail regex: range vector\n`),
    ).not.toThrow();
  });

  it('reads the expect lines of the script format', () => {
    const [, c] = parseScript(`${LOAD}
eval instant at 1m requests
  expect ordered
  expect warn msg: some warning
  expect range vector from 0 to 1m step 30s
  requests{job="a"} 0 _ 10
`) as [unknown, Eval];
    expect(c).toMatchObject({
      ordered: true,
      rangeVector: { start: 0, end: 60_000, step: 30_000 },
      annotations: ['expect warn msg: some warning'],
      expected: [{ labels: { __name__: 'requests', job: 'a' }, values: [0, undefined, 10], pos: 1 }],
    });
  });
});
