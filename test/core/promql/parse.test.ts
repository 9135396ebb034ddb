import { describe, expect, it } from 'vitest';
import { type Expr, PromqlParseError, parseExpr, typeOf } from '../../../core/promql/index.js';

/** The error parseExpr throws for `text` (fails the test when it parses). */
function refusal(text: string): PromqlParseError {
  try {
    parseExpr(text);
  } catch (err) {
    if (err instanceof PromqlParseError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

/** The refused part of the expression, as a user would see it underlined. */
function refusedText(text: string): string {
  const { position } = refusal(text);
  return text.slice(position.start, position.end);
}

function value(text: string): number {
  const e = parseExpr(text);
  if (e.kind !== 'number') throw new Error(`${text} parsed as ${e.kind}`);
  return e.value;
}

/** A compact rendering of the tree, enough to see how it was grouped. */
function shape(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return String(e.value);
    case 'string':
      return JSON.stringify(e.value);
    case 'vector': {
      const mods = `${e.offset ? ' offset' : ''}${e.at ? ' @' : ''}`;
      return `${e.name ?? '{}'}${mods}`;
    }
    case 'matrix':
      return `${shape(e.vector)}[]`;
    case 'subquery':
      return `${shape(e.expr)}[:]${e.offset ? ' offset' : ''}${e.at ? ' @' : ''}`;
    case 'call':
      return `${e.func}(${e.args.map(shape).join(', ')})`;
    case 'aggregate':
      return `${e.op}(${e.param ? `${shape(e.param)}, ` : ''}${shape(e.expr)})`;
    case 'binary':
      return `(${shape(e.lhs)} ${e.op}${e.returnBool ? ' bool' : ''} ${shape(e.rhs)})`;
    case 'unary':
      return `(${e.op}${shape(e.expr)})`;
    case 'paren':
      return shape(e.expr);
  }
}

describe('parseExpr: literals', () => {
  it('reads every number form Prometheus 3.14 reads', () => {
    expect(value('12.34e6')).toBe(12_340_000);
    expect(value('.2')).toBe(0.2);
    expect(value('2.')).toBe(2);
    expect(value('0x1F')).toBe(31);
    expect(value('010')).toBe(8);
    expect(value('1_000')).toBe(1000);
    expect(value('+Inf')).toBe(Number.POSITIVE_INFINITY);
    expect(value('-inF')).toBe(Number.NEGATIVE_INFINITY);
    expect(value('NaN')).toBeNaN();
    expect(value('1m30s')).toBe(90);
    expect(value('-0.2e-6')).toBe(-0.0000002);
  });

  // The forms v3.14.0:promql/parser/lex_test.go lexes as numbers, and those it refuses.
  it("reads 3.14's lexer's newer forms: a dot before the exponent, underscores after 0x", () => {
    expect(value('1.e2')).toBe(100);
    expect(value('-5.E-1')).toBe(-0.5);
    expect(value('1_0.e+1')).toBe(100);
    expect(value('0x_1F')).toBe(31);
    expect(value('0X_1f')).toBe(31);
    expect(value('0x1_2_34')).toBe(0x1234);
    expect(value('00_1_23_4.56_7_8')).toBe(1234.5678);
    expect(value('1e1_0')).toBe(1e10);
    expect(parseExpr('x[1.e2] offset 0x_1F')).toMatchObject({
      range: { kind: 'literal', ms: 100_000 },
      vector: { offset: { kind: 'literal', ms: 31_000 } },
    });
    expect(parseExpr('"1.e2"')).toMatchObject({ kind: 'string', value: '1.e2' });
  });

  it.each([
    '1..2',
    '1.2.',
    '00_1_23__4.56_7_8',
    '00_1_23_4._56_7_8',
    '00_1_23_4_.56_7_8',
    '0x1_2__34',
    '0x1_2__34.5_6',
    '1_e2',
    '1e.2',
    '1ee2',
    '1e',
    '1e+',
    '1e_1_2_34',
    '12_',
    '2.e',
  ])('refuses the number %s as 3.14 does', (text) => {
    expect(refusal(text).code).toBe('TRB_PROMQL_PARSE');
  });

  it("refuses a number past the largest float, as Go's ParseFloat does", () => {
    const err = refusal('rate(x[5m]) > -1e400');
    expect(err.message).toBe(
      '1:16: error parsing number: strconv.ParseFloat: parsing "1e400": value out of range',
    );
    expect(value('1e-400')).toBe(0);
    expect(refusal('x[1e400]').detail).toBe(
      'error parsing number: strconv.ParseFloat: parsing "1e400": value out of range',
    );
  });

  it('reads hex and octal within int64 as ParseInt does, and past it as ParseFloat would', () => {
    expect(value('0x7FFFFFFFFFFFFFFF')).toBe(2 ** 63);
    expect(refusal('0x8000000000000000').detail).toBe(
      'error parsing number: strconv.ParseFloat: parsing "0x8000000000000000": invalid syntax',
    );
    expect(value('0777')).toBe(511);
    // Past int64 a leading-zero octal is a decimal to ParseFloat.
    expect(value('07777777777777777777777')).toBe(7.777777777777777e21);
    expect(value('08')).toBe(8);
  });

  // v3.14.0:promql/parser/lex.go scanNumber takes a hex literal's first digit alone, then an `e` for an exponent.
  it("refuses the hex literals 3.14's lexer reads an exponent in, and reads the rest", () => {
    expect(refusal('rate(x[5m]) * 0x1e').message).toBe('1:15: bad number or duration syntax: "0x1e"');
    expect(refusal('1 + 0xee').detail).toBe('bad number or duration syntax: "0xee"');
    expect(refusal('0x1_e2 + 1').detail).toBe('bad number or duration syntax: "0x1_e"');
    expect(refusal('0x1e+1').detail).toBe(
      'error parsing number: strconv.ParseFloat: parsing "0x1e+1": invalid syntax',
    );
    expect(parseExpr('0x1e + 1')).toMatchObject({ lhs: { value: 30 }, rhs: { value: 1 } });
    expect(value('0xe')).toBe(14);
    expect(value('0x1f5e')).toBe(0x1f5e);
    expect(parseExpr('x[0x1e]')).toMatchObject({ range: { kind: 'literal', ms: 30_000 } });
  });

  it('unquotes strings as Go does in "...", \'...\' and `...`', () => {
    expect(parseExpr(String.raw`"a\x41\u00e9\101\n\""`)).toMatchObject({ kind: 'string', value: 'aAéA\n"' });
    expect(parseExpr(String.raw`'it\'s'`)).toMatchObject({ value: "it's" });
    expect(parseExpr('`raw \\n`')).toMatchObject({ value: 'raw \\n' });
    const err = refusal(String.raw`"bad \q"`);
    expect(err.code).toBe('TRB_PROMQL_PARSE');
    expect(err.message).toBe(String.raw`1:1: error unquoting string "\"bad \\q\"": invalid syntax`);
  });
});

describe('parseExpr: selectors', () => {
  it('keeps all four matchers and the name as a __name__ matcher', () => {
    const text = 'http_requests_total{a="1", b!="2", c=~"x.*", d!~"y"}';
    const e = parseExpr(text);
    expect(e).toMatchObject({
      kind: 'vector',
      name: 'http_requests_total',
      matchers: [
        { name: 'a', op: '=', value: '1' },
        { name: 'b', op: '!=', value: '2' },
        { name: 'c', op: '=~', value: 'x.*' },
        { name: 'd', op: '!~', value: 'y' },
        { name: '__name__', op: '=', value: 'http_requests_total' },
      ],
      span: { start: 0, end: text.length },
    });
  });

  it('reads UTF-8 metric and label names in quotes', () => {
    expect(parseExpr('{"my.metric", "service.name"="api"}')).toMatchObject({
      name: undefined,
      matchers: [
        { name: '__name__', op: '=', value: 'my.metric' },
        { name: 'service.name', op: '=', value: 'api' },
      ],
    });
    expect(parseExpr('sum by ("service.name") (x)')).toMatchObject({ grouping: ['service.name'] });
  });

  it('takes offset and the other keywords Prometheus 3.14 allows as a metric name where an expression starts', () => {
    expect(parseExpr('offset{step="1s"}[5m]')).toMatchObject({
      kind: 'matrix',
      vector: { name: 'offset', matchers: [{ name: 'step' }, { name: '__name__', value: 'offset' }] },
    });
    expect(shape(parseExpr('rate(offset[5m] offset 1m)'))).toBe('rate(offset offset[])');
    expect(shape(parseExpr('offset offset 5m + Offset'))).toBe('(offset offset + Offset)');
    expect(shape(parseExpr('x and offset'))).toBe('(x and offset)');
    expect(shape(parseExpr('x / on(a) group_left offset'))).toBe('(x / offset)');
    expect(shape(parseExpr('sum(sum) + by + step + anchored + fill'))).toBe(
      '((((sum(sum) + by) + step) + anchored) + fill)',
    );
    expect(parseExpr('sum by (offset, bool, on) (x{offset="1", bool="2"})')).toMatchObject({
      grouping: ['offset', 'bool', 'on'],
      expr: { matchers: [{ name: 'offset' }, { name: 'bool' }, { name: '__name__' }] },
    });
  });

  it('keeps offset the modifier after an expression, and bool, on, atan2 never a metric name', () => {
    expect(refusal('x offset offset').message).toBe('1:10: unexpected "offset"');
    expect(refusal('bool').message).toBe('1:1: unexpected "bool"');
    expect(refusal('x + on').detail).toBe('unexpected end of input');
    expect(refusal('atan2{a="b"}').detail).toBe('unexpected "atan2"');
  });

  it("refuses inf and nan as grouping labels (numbers to Prometheus's lexer) but takes them in braces", () => {
    expect(refusal('sum by (a, NaN) (x)').message).toBe(
      '1:12: unexpected number "NaN" in grouping opts, expected label',
    );
    expect(refusedText('x + on(inf) y')).toBe('inf');
    expect(refusedText('x + on(a) group_left(nan) y')).toBe('nan');
    expect(parseExpr('sum by ("nan") (x{inf="1"})')).toMatchObject({ grouping: ['nan'] });
  });

  it('refuses a selector that would match every series, and a name given twice', () => {
    expect(refusal('{a=~".*"}').detail).toBe('vector selector must contain at least one non-empty matcher');
    expect(parseExpr('{__name__=~"up|down"}')).toMatchObject({ kind: 'vector' });
    expect(refusal('up{__name__="down"}').detail).toBe('metric name must not be set twice: "up" or "down"');
  });

  it('refuses a regular expression that does not compile, pointing at it', () => {
    expect(refusedText('up{job=~"(unclosed"}')).toBe('"(unclosed"');
    expect(refusal('up{job=~"(unclosed"}').code).toBe('TRB_PROMQL_PARSE');
  });

  it('refuses valid RE2 that Tributary cannot translate as unsupported, saying what and where', () => {
    const err = refusal('up{job="a",\n   instance!~"(?-s:.)"}');
    expect(err.format()).toBe(
      'TRB_PROMQL_UNSUPPORTED 2:14: the regular expression "(?-s:.)" uses the flag group (?-s:...) (. not matching newlines), which Tributary cannot translate from RE2; rewrite the regular expression without it (docs/promql.md lists the RE2 syntax Tributary refuses)',
    );
  });

  it('reads ranges, offsets (negative too), @ and subqueries', () => {
    expect(parseExpr('x[5m] offset -1m @ 100')).toMatchObject({
      kind: 'matrix',
      range: { kind: 'literal', ms: 300_000 },
      vector: { offset: { kind: 'literal', ms: -60_000 }, at: { kind: 'time', ms: 100_000 } },
    });
    expect(parseExpr('x @ start()')).toMatchObject({ at: { kind: 'start' } });
    expect(parseExpr('x @ 1609746000.5')).toMatchObject({ at: { kind: 'time', ms: 1_609_746_000_500 } });
    expect(parseExpr('x[10m:]')).toMatchObject({ kind: 'subquery', step: undefined });
    expect(parseExpr('x[10m:30s] @ end()')).toMatchObject({
      step: { kind: 'literal', ms: 30_000 },
      at: { kind: 'end' },
    });
    expect(parseExpr('x[90]')).toMatchObject({ range: { kind: 'literal', ms: 90_000 } });
    expect(parseExpr('x[1001ms]')).toMatchObject({ range: { kind: 'literal', ms: 1001 } });
  });

  it('folds duration expressions, and keeps those that depend on the step', () => {
    expect(parseExpr('x[5m+1m]')).toMatchObject({ range: { kind: 'literal', ms: 360_000 } });
    expect(parseExpr('x[2m*2]')).toMatchObject({ range: { kind: 'literal', ms: 240_000 } });
    expect(parseExpr('x offset -(1m/2)')).toMatchObject({ offset: { kind: 'literal', ms: -30_000 } });
    expect(parseExpr('x[max_of(step(), 5m)]')).toMatchObject({
      range: {
        kind: 'expr',
        expr: { kind: 'call', name: 'max', args: [{ kind: 'step' }, { kind: 'number', ms: 300_000 }] },
      },
    });
    expect(parseExpr('x[STEP()]')).toMatchObject({ range: { kind: 'expr', expr: { kind: 'step' } } });
  });

  it('refuses ranges that are not positive and modifiers on the wrong thing', () => {
    expect(refusal('x[5m-10m]').detail).toBe('duration must be greater than 0');
    expect(refusedText('x[5m-10m]')).toBe('5m-10m');
    expect(refusal('x[1m/0]').detail).toBe('division by zero');
    // As Prometheus's grammar, a literal zero divisor is refused beside step() too, at the operator.
    expect(refusal('x[step()/0d]').message).toBe('1:9: division by zero');
    expect(refusal('x[step()%0]').message).toBe('1:9: modulo by zero');
    expect(refusal('x[1e10]').detail).toBe('duration out of range');
    expect(refusal('(x)[5m]').detail).toBe('ranges only allowed for vector selectors');
    expect(refusal('x offset 1m [5m]').detail).toBe('no offset modifiers allowed before range');
    expect(refusal('x offset 1m offset 2m').detail).toBe('offset may not be set multiple times');
    expect(refusal('x @ 1 @ 2').detail).toBe('@ <timestamp> may not be set multiple times');
    expect(refusal('sum(x) offset 1m').detail).toBe(
      'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
    );
    expect(refusal('x @ Inf').detail).toBe('timestamp out of bounds for @ modifier: +Inf');
    expect(refusal('x @ 1e19').detail).toBe(
      'timestamp out of bounds for @ modifier: 10000000000000000000.000000',
    );
    expect(refusal('x[5m][10m:]').detail).toBe(
      'subquery is only allowed on instant vector, got matrix instead',
    );
    expect(refusal('rate(x[5m],)').detail).toBe('unexpected ")"');
  });
});

describe('parseExpr: operators', () => {
  it('groups by Prometheus precedence, ^ to the right', () => {
    expect(shape(parseExpr('a + b * c ^ d ^ e'))).toBe('(a + (b * (c ^ (d ^ e))))');
    expect(shape(parseExpr('a or b and c unless d == e'))).toBe('(a or ((b and c) unless (d == e)))');
    expect(shape(parseExpr('a - b - c'))).toBe('((a - b) - c)');
  });

  it('binds a sign looser than ^ (-2 ^ 2 is -4) and offset/@ tighter than any operator', () => {
    expect(shape(parseExpr('-2 ^ 2'))).toBe('(-(2 ^ 2))');
    expect(shape(parseExpr('1 - -1'))).toBe('(1 - -1)');
    expect(shape(parseExpr('a + b offset 1m'))).toBe('(a + b offset)');
    expect(shape(parseExpr('-a @ 100'))).toBe('(-a @)');
    expect(shape(parseExpr('x - y offset 1m * 3'))).toBe('(x - (y offset * 3))');
    expect(shape(parseExpr('-x offset 1m ^ 2'))).toBe('(-(x offset ^ 2))');
    expect(shape(parseExpr('a or b offset 1m and c'))).toBe('(a or (b offset and c))');
    expect(refusedText('a * b[5m:1m] @ 1')).toBe('b[5m:1m] @ 1');
  });

  it('reads bool, on/ignoring and group_left/group_right', () => {
    expect(parseExpr('a > bool 1')).toMatchObject({ returnBool: true, matching: undefined });
    expect(parseExpr('a * on(job) group_left(version) b')).toMatchObject({
      matching: { card: 'many-to-one', labels: ['job'], on: true, include: ['version'] },
    });
    expect(parseExpr('a / ignoring(code) group_right b')).toMatchObject({
      matching: { card: 'one-to-many', labels: ['code'], on: false, include: [] },
    });
    expect(parseExpr('a and b')).toMatchObject({ matching: { card: 'many-to-many' } });
  });

  it("refuses what Prometheus's type check refuses, pointing at the operator or operand", () => {
    expect(refusal('1 > 2').detail).toBe('comparisons between scalars must use BOOL modifier');
    expect(refusedText('1 > 2')).toBe('>');
    expect(refusal('a + bool b').detail).toBe('bool modifier can only be used on comparison operators');
    expect(refusal('a and 1').detail).toBe('set operator "and" not allowed in binary scalar expression');
    expect(refusal('a and on(x) group_left b').detail).toBe('no grouping allowed for "and" operation');
    expect(refusal('1 + on(x) a').detail).toBe('vector matching only allowed between instant vectors');
    expect(refusal('a + on(x) group_left(x) b').detail).toBe(
      'label "x" must not occur in ON and GROUP clause at once',
    );
    expect(refusal('a[5m] + 1').detail).toBe(
      'binary expression must contain only scalar and instant vector types',
    );
    expect(refusedText('a[5m] + 1')).toBe('a[5m]');
    expect(refusal('-"x"').detail).toBe(
      'unary expression only allowed on expressions of type scalar or instant vector, got "string"',
    );
  });
});

describe('parseExpr: aggregations', () => {
  it('takes by/without before or after, and a parameter first', () => {
    const before = parseExpr('sum by (job) (x)');
    const after = parseExpr('sum(x) by (job)');
    expect(before).toMatchObject({ op: 'sum', grouping: ['job'], without: false });
    expect(after).toMatchObject({ op: 'sum', grouping: ['job'], without: false });
    expect(parseExpr('topk without (a) (3, x)')).toMatchObject({
      op: 'topk',
      without: true,
      param: { kind: 'number', value: 3 },
      expr: { kind: 'vector', name: 'x' },
    });
    expect(parseExpr('COUNT_VALUES("v", x)')).toMatchObject({ op: 'count_values', param: { value: 'v' } });
  });

  it('refuses a wrong parameter or argument count', () => {
    expect(refusal('count_values(1, x)').detail).toBe(
      'expected type string in aggregation parameter, got scalar',
    );
    expect(refusal('topk("a", x)').detail).toBe('expected type scalar in aggregation parameter, got string');
    expect(refusal('topk(x)').detail).toBe(
      'wrong number of arguments for aggregate expression provided, expected 2, got 1',
    );
    expect(refusal('sum()').detail).toBe('no arguments for aggregate expression provided');
    expect(refusal('sum(x[5m])').detail).toBe(
      'expected type instant vector in aggregation expression, got range vector',
    );
  });
});

describe('parseExpr: functions', () => {
  it('types a call by its function', () => {
    expect(typeOf(parseExpr('time()'))).toBe('scalar');
    expect(typeOf(parseExpr('rate(x[5m])'))).toBe('vector');
    expect(parseExpr('round(x, 0.5)')).toMatchObject({
      kind: 'call',
      func: 'round',
      args: [{}, { value: 0.5 }],
    });
    expect(parseExpr('label_join(x, "dst", ",", "a", "b", "c")')).toMatchObject({ kind: 'call' });
  });

  it('checks argument counts and types against the signature', () => {
    expect(refusal('rate(x)').detail).toBe(
      'expected type range vector in call to function "rate", got instant vector',
    );
    expect(refusedText('rate(x)')).toBe('x');
    expect(refusal('abs(x, y)').detail).toBe('expected 1 argument(s) in call to "abs", got 2');
    expect(refusal('round(x, 1, 2)').detail).toBe('expected at most 2 argument(s) in call to "round", got 3');
    expect(refusal('label_join(x, "a")').detail).toBe(
      'expected at least 3 argument(s) in call to "label_join", got 2',
    );
  });

  it('names an unknown function where it is written', () => {
    const err = refusal('sum(rat(x[5m]))');
    expect(err.code).toBe('TRB_PROMQL_PARSE');
    expect(err.detail).toBe('unknown function with name "rat"');
    expect(err.position).toEqual({ start: 4, end: 7 });
    expect(refusal('histogram_quantil(0.9, x)').format()).toBe(
      'TRB_PROMQL_PARSE 1:1: unknown function with name "histogram_quantil"; did you mean "histogram_quantile"?',
    );
    expect(refusal('job:rate5m (x)').detail).toBe('unknown function with name "job:rate5m"');
  });
});

describe('parseExpr: out of scope is refused, never answered wrong', () => {
  it.each([
    ['sort_by_label(x, "a")', 'sort_by_label(x, "a")'],
    ['mad_over_time(x[5m])', 'mad_over_time(x[5m])'],
    ['1 + min_of(1, 2)', 'min_of'],
    ['histogram_count(x)', 'histogram_count(x)'],
    ['limitk(2, x)', 'limitk(2, x)'],
    ['rate(x[5m] anchored)', 'x[5m] anchored'],
    ['a + fill(0) b', 'a + fill(0) b'],
    ['a </ 2', '</'],
    ['label_replace(up, "dst", "$1", "src", "(?U)a")', '"(?U)a"'],
    ['up{job=~"x(?m)y"}', '"x(?m)y"'],
    ['{__name__!~`[^\\S]`}', '`[^\\S]`'],
  ])('%s', (text, refused) => {
    const err = refusal(text);
    expect(err.code).toBe('TRB_PROMQL_UNSUPPORTED');
    expect(text.slice(err.position.start, err.position.end)).toBe(refused);
  });
});

describe('parseExpr: comments', () => {
  it('skips a # comment wherever a blank may stand, as in a multi-line rule', () => {
    const text = [
      'sum by (job) # per job',
      '  ( # errors only',
      '    rate(x{code=~"5..", # server side',
      '      a="b"}[5m]) # five minutes',
      '  ) / on (job) # d',
      '  group_left (team) # e',
      '  y',
    ].join('\n');
    expect(parseExpr(text)).toMatchObject({
      kind: 'binary',
      lhs: { kind: 'aggregate', grouping: ['job'], expr: { kind: 'call', func: 'rate' } },
      matching: { on: true, labels: ['job'], include: ['team'], card: 'many-to-one' },
    });
    expect(parseExpr('topk(# k\n 1, x)')).toMatchObject({ param: { value: 1 } });
    expect(shape(parseExpr('x # before the operator\n  * y'))).toBe('(x * y)');
    expect(refusedText('1 # one\n > # greater\n 2')).toBe('>');
    expect(value('- # minus\n 2')).toBe(-2);
    expect(refusal('# only a comment\n').detail).toBe('no expression found in input');
  });
});

describe('parseExpr: syntax errors', () => {
  it('points at the offending token with line:column', () => {
    const err = refusal('sum(x) by (job) +');
    expect(err.detail).toBe('unexpected end of input');
    expect(err.message).toBe('1:18: unexpected end of input');
    const multiline = refusal('sum(\n  x\n) ) ');
    expect(multiline.message).toBe('3:3: unexpected ")"');
    expect(refusal('  ').detail).toBe('no expression found in input');
  });

  it('is a TributaryError with a stable code', () => {
    const err = refusal('up{');
    expect(err.code).toBe('TRB_PROMQL_PARSE');
    expect(err.format()).toBe('TRB_PROMQL_PARSE 1:4: unexpected end of input inside braces');
  });

  it("says what was left open at the end of the input, in Prometheus's words (promtool 2.42 agrees)", () => {
    const cases: [string, string][] = [
      ['sum(up) by (', '1:13: unclosed left parenthesis'],
      ['rate(up[5m', '1:11: unclosed left parenthesis'],
      ['up{job="a"', '1:11: unexpected end of input inside braces'],
      ['up{a="(("', '1:10: unexpected end of input inside braces'],
      ['(up', '1:4: unclosed left parenthesis'],
      ['up[5m', '1:6: unclosed left bracket'],
    ];
    for (const [text, message] of cases) expect(refusal(text).message, text).toBe(message);
  });
});
