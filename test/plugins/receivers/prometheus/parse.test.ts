import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Format,
  type ParsedFamily,
  parseExposition,
  SampleLimitError,
} from '../../../../plugins/receivers/prometheus/parse.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../fixtures/prometheus-exposition/${name}`, import.meta.url), 'utf8');

/** Lines that are samples: neither empty nor comments. */
const sampleLines = (text: string) => text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));

const find = (families: ParsedFamily[], name: string) => {
  const family = families.find((f) => f.name === name);
  if (!family) throw new Error(`no family ${name}`);
  return family;
};

describe("Prometheus's own exposition test files (model/textparse/testdata)", () => {
  it.each<[string, Format, number]>([
    ['alltypes.237mfs.prom.txt', 'text', 237],
    ['alltypes.5mfs.om.txt', 'openmetrics', 5],
    ['1histogram.om.txt', 'openmetrics', 1],
  ])('%s: every sample line read, each in the family its metadata names', (name, format, familyCount) => {
    const text = fixture(name);
    const families = parseExposition(text, format);
    expect(families).toHaveLength(familyCount);
    expect(families.reduce((n, f) => n + f.samples.length, 0)).toBe(sampleLines(text).length);
    for (const f of families) expect(f.type).not.toMatch(/untyped|unknown/);
  });

  it('reads the text file: counters, summaries and histograms with their values and help', () => {
    const families = parseExposition(fixture('alltypes.237mfs.prom.txt'), 'text');
    const types: Record<string, number> = {};
    for (const f of families) types[f.type] = (types[f.type] ?? 0) + 1;
    expect(types).toEqual({ counter: 112, gauge: 97, histogram: 15, summary: 13 });
    const gc = find(families, 'go_gc_duration_seconds');
    expect(gc.type).toBe('summary');
    expect(gc.help).toBe(
      'A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.',
    );
    expect(gc.samples[0]).toEqual({
      name: 'go_gc_duration_seconds',
      labels: [['quantile', '0']],
      value: 7.6238e-5,
    });
    expect(gc.samples.map((s) => s.name)).toContain('go_gc_duration_seconds_count');
  });

  it('reads the OpenMetrics file: _total and _created samples in their counter family, exemplars skipped', () => {
    const families = parseExposition(fixture('alltypes.5mfs.om.txt'), 'openmetrics');
    const requests = find(families, 'rpc_requests');
    expect(requests.type).toBe('counter');
    expect(requests.samples.slice(0, 2)).toEqual([
      { name: 'rpc_requests_total', labels: [['service', 'exponential']], value: 22 },
      { name: 'rpc_requests_created', labels: [['service', 'exponential']], value: 1.726839813016893e9 },
    ]);
    const histogram = find(families, 'rpc_durations_histogram_seconds');
    expect(histogram.type).toBe('histogram');
    // A bucket line with an exemplar (`# {dummyID="17783"} ...`): the value before it.
    expect(histogram.samples.find((s) => s.labels[0]?.[1] === '-0.0002899999999999998')?.value).toBe(3);
    expect(find(families, 'go_build_info').samples[0]?.labels).toEqual([
      ['checksum', ''],
      ['path', ''],
      ['version', ''],
    ]);
  });
});

describe('the text format 0.0.4, as promparse_test.go writes it', () => {
  it('takes blanks around labels, a trailing comma, a timestamp, tabs and colons in names', () => {
    const families = parseExposition(
      [
        '# HELP go_gc_duration_seconds A summary of the GC invocation durations.',
        '# \tTYPE go_gc_duration_seconds summary',
        'go_gc_duration_seconds{quantile="0.25",} 7.424100000000001e-05',
        'go_gc_duration_seconds{ quantile="0.9", a="b"} 8.3835e-05',
        'go_gc_duration_seconds { quantile = "1.0", a = "b" } 8.3835e-05',
        'some:aggregate:rate5m{a_b="c"}\t1',
        '# TYPE go_goroutines gauge',
        'go_goroutines 33  \t123123',
        'testmetric{label="\\"bar\\""} 1',
        'multi{a="x\\ny\\\\z"} -Inf',
        'nan NaN',
        '',
      ].join('\n'),
      'text',
    );
    expect(families.map((f) => [f.name, f.type])).toEqual([
      ['go_gc_duration_seconds', 'summary'],
      ['some:aggregate:rate5m', 'untyped'],
      ['go_goroutines', 'gauge'],
      ['testmetric', 'untyped'],
      ['multi', 'untyped'],
      ['nan', 'untyped'],
    ]);
    expect(families[0]?.samples.map((s) => s.labels)).toEqual([
      [['quantile', '0.25']],
      [
        ['quantile', '0.9'],
        ['a', 'b'],
      ],
      [
        ['quantile', '1.0'],
        ['a', 'b'],
      ],
    ]);
    expect(find(families, 'go_goroutines').samples[0]).toEqual({
      name: 'go_goroutines',
      labels: [],
      value: 33,
      timestampMs: 123123,
    });
    expect(find(families, 'testmetric').samples[0]?.labels).toEqual([['label', '"bar"']]);
    expect(find(families, 'multi').samples[0]).toMatchObject({
      labels: [['a', 'x\ny\\z']],
      value: -Infinity,
    });
    expect(find(families, 'nan').samples[0]?.value).toBeNaN();
  });

  it('says which line is wrong and why', () => {
    expect(() => parseExposition('ok 1\nbroken{a="1" 2\n', 'text')).toThrow(
      'line 2: expected "," or "}" after label a',
    );
    expect(() => parseExposition('a 1\nb one\n', 'text')).toThrow('line 2: invalid value "one"');
    expect(() => parseExposition('# TYPE a histgram\n', 'text')).toThrow(
      'line 1: invalid metric type "histgram"',
    );
  });
});

describe('OpenMetrics 1.0', () => {
  it('needs # EOF at the end and nothing after it', () => {
    expect(() => parseExposition('a 1\n', 'openmetrics')).toThrow('missing "# EOF"');
    expect(() => parseExposition('a 1\n# EOF\nb 2\n', 'openmetrics')).toThrow(
      'line 3: content after "# EOF"',
    );
  });

  it('reads # UNIT, timestamps in seconds, and info samples in their family', () => {
    const families = parseExposition(
      [
        '# TYPE req_seconds histogram',
        '# UNIT req_seconds seconds',
        'req_seconds_bucket{le="+Inf"} 2 1520879607.789',
        '# TYPE build info',
        'build_info{version="1"} 1',
        '# EOF',
      ].join('\n'),
      'openmetrics',
    );
    expect(families).toMatchObject([
      { name: 'req_seconds', type: 'histogram', unit: 'seconds', samples: [{ timestampMs: 1520879607789 }] },
      { name: 'build', type: 'info', samples: [{ name: 'build_info', labels: [['version', '1']] }] },
    ]);
  });
});

it('keeps a carriage return in HELP text: only \\n and \\\\ are escaped there (found by fuzzing)', () => {
  for (const format of ['text', 'openmetrics'] as const) {
    const families = parseExposition(`# HELP a one\rtwo\n# TYPE a gauge\na 1\n# EOF\n`, format);
    expect(families).toMatchObject([{ name: 'a', help: 'one\rtwo', type: 'gauge' }]);
  }
});

it('stops at sample_limit with SampleLimitError', () => {
  expect(() => parseExposition('a 1\nb 2\nc 3\n', 'text', 2)).toThrow(SampleLimitError);
  expect(parseExposition('a 1\nb 2\n', 'text', 2)).toHaveLength(2);
});
