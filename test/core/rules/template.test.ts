import { describe, expect, it } from 'vitest';
import { executeTemplate } from '../../../core/rules/template/exec.js';
import {
  type QuerySample,
  TEMPLATE_FUNCTION_NAMES,
  templateFunctions,
} from '../../../core/rules/template/functions.js';
import { formatE, formatF, formatG } from '../../../core/rules/template/go-format.js';
import { compileAlertTemplate, expandAlertTemplate } from '../../../core/rules/template/index.js';
import { parseTemplate } from '../../../core/rules/template/parse.js';
import { GoMap, type GoValue } from '../../../core/rules/template/types.js';

const T = 1_353_755_652_000;
const env = (query: (q: string) => QuerySample[] = () => []) =>
  templateFunctions({ t: T, externalUrl: 'http://testhost:9090/path/prefix', query });

/** Runs `text` with `data` as dot, as Prometheus's template tests do. */
const run = (text: string, data: GoValue = null, query?: (q: string) => QuerySample[]) =>
  executeTemplate(parseTemplate(text, TEMPLATE_FUNCTION_NAMES), data, {}, env(query));

// Expected outputs are Prometheus v3.14.0's (template/template_test.go): the same functions, the same text.
describe('Prometheus template functions', () => {
  it.each([
    ['plain text', 'plain text'],
    ['{{ 1 }}', '1'],
    ['{{ now }}', '1.353755652e+09'],
    ['{{ reReplaceAll "(a)b" "x$1" "ab" }}', 'xa'],
    ['{{ "aa bb CC" | title }}', 'Aa Bb CC'],
    ['{{ "aa bb CC" | toUpper }}', 'AA BB CC'],
    ['{{ "aA bB CC" | toLower }}', 'aa bb cc'],
    ['{{ match "a+" "aa" }} {{ match "a+" "b" }}', 'true false'],
    ['{{ graphLink "up" }}', '/graph?g0.expr=up&g0.tab=0'],
    ['{{ tableLink "up" }}', '/graph?g0.expr=up&g0.tab=1'],
    ['{{ pathPrefix }}', '/path/prefix'],
    ['{{ externalURL }}', 'http://testhost:9090/path/prefix'],
    ['{{ printf "%0.2f" (parseDuration "1h2m10ms") }}', '3720.01'],
    ['{{ printf "%0.2f" (parseDuration "-1h2m10ms") }}', '-3720.01'],
    ['{{ "foo.example.com" | stripPort }}', 'foo.example.com'],
    ['{{ "foo.example.com:12345" | stripPort }}', 'foo.example.com'],
    ['{{ "[2001:0DB8::1]:12345" | stripPort }}', '2001:0DB8::1'],
    ['{{ "[2001:0DB8::1]::12345" | stripPort }}', '[2001:0DB8::1]::12345'],
    ['{{ "2001:0DB8::1" | stripPort }}', '2001:0DB8::1'],
    ['{{ "foo.example.com" | stripDomain }}', 'foo'],
    ['{{ "foo.example.com:12345" | stripDomain }}', 'foo:12345'],
    ['{{ "192.0.2.1:12345" | stripDomain }}', '192.0.2.1:12345'],
    [
      '{{ -0.22222 | humanizePercentage }}:{{ 0.0 | humanizePercentage }}:{{ 0.1234567 | humanizePercentage }}:{{ 1.23456 | humanizePercentage }}',
      '-22.22%:0%:12.35%:123.5%',
    ],
    ['{{ 1435065584.128 | humanizeTimestamp }}', '2015-06-23 13:19:44.128 +0000 UTC'],
    ['{{ "1435065584.128" | humanizeTimestamp }}', '2015-06-23 13:19:44.128 +0000 UTC'],
  ])('%s', (text, output) => {
    expect(run(text)).toBe(output);
  });

  it.each<[string, GoValue[], string]>([
    ['humanize', [0, 1, 1234567, 0.12], '0:1:1.235M:120m:'],
    ['humanize', ['0.0', '1.0', '1234567.0', '.12'], '0:1:1.235M:120m:'],
    ['humanize', [0n, -1n, 1n, 1234567n], '0:-1:1:1.235M:'],
    ['humanize1024', [0, 1, 1048576, 0.12], '0:1:1Mi:0.12:'],
    ['humanize1024', [0n, -1n, 1n, 1234567n], '0:-1:1:1.177Mi:'],
    [
      'humanizeDuration',
      [0, 1, 60, 3600, 86400, 86400 + 3600, -(86400 * 2 + 3600 * 3 + 60 * 4 + 5), 899.99],
      '0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:',
    ],
    [
      'humanizeDuration',
      [0.1, 0.0001, 0.12345, 60.1, 60.5, 1.2345, 12.345],
      '100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:',
    ],
    ['humanizeDuration', [0n, -1n, 1n, 1234567n], '0s:-1s:1s:14d 6h 56m 7s:'],
    ['humanizePercentage', [0n, -1n, 1n, 1234567n], '0%:-100%:100%:1.235e+08%:'],
    [
      'humanizeTimestamp',
      [0n, -1n, 1n, 1234567n, 9223372036n],
      '1970-01-01 00:00:00 +0000 UTC:1969-12-31 23:59:59 +0000 UTC:1970-01-01 00:00:01 +0000 UTC:1970-01-15 06:56:07 +0000 UTC:2262-04-11 23:47:16 +0000 UTC:',
    ],
  ])('%s over case %#', (fn, input, output) => {
    expect(run(`{{ range . }}{{ ${fn} . }}:{{ end }}`, input)).toBe(output);
  });

  it('prints +Inf, -Inf and NaN through every humanize function', () => {
    const text =
      '{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}';
    expect(run(text, [Infinity, -Infinity, Number.NaN])).toBe(
      '+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:',
    );
  });

  it('queries: first, value, label, sortByLabel, range over the result', () => {
    const query = (q: string): QuerySample[] =>
      q === 'metric'
        ? [
            { labels: { __name__: 'metric', instance: 'b' }, value: 21 },
            { labels: { __name__: 'metric', instance: 'a' }, value: 11 },
          ]
        : [];
    expect(run('{{ query "metric" | first | value }}', null, query)).toBe('21');
    expect(run('{{ query "metric" | first | label "instance" }}', null, query)).toBe('b');
    expect(run('{{ $x := query "metric" | first }}{{ $x.Labels.instance }}', null, query)).toBe('b');
    expect(
      run(
        '{{ range query "metric" | sortByLabel "instance" }}{{.Labels.instance}}:{{.Value}}: {{end}}',
        null,
        query,
      ),
    ).toBe('a:11: b:21: ');
    expect(() => run('{{ query "missing" | first }}', null, query)).toThrow(
      'error calling first: first() called on vector with no elements',
    );
  });
});

describe('Go text/template', () => {
  it.each<[string, GoValue, string]>([
    ['{{ if gt 2.5 1.0 }}big{{ else }}small{{ end }}', null, 'big'],
    ['{{ if eq . "a" }}A{{ else if eq . "b" }}B{{ else }}other{{ end }}', 'b', 'B'],
    ['{{ if eq . "a" }}A{{ else if eq . "b" }}B{{ else }}other{{ end }}', 'c', 'other'],
    ['{{ with "" }}x{{ else }}empty{{ end }}', null, 'empty'],
    ['{{ with "v" }}<{{ . }}>{{ end }}', null, '<v>'],
    ['{{ range $i, $e := . }}{{ $i }}={{ $e }} {{ end }}', ['a', 'b'], '0=a 1=b '],
    ['{{ range . }}x{{ else }}none{{ end }}', [], 'none'],
    ['{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}', null, '2'],
    ['a  {{- "b" -}}  c', null, 'abc'],
    ['{{/* a comment */}}x', null, 'x'],
    ['a {{- /* trimmed comment */ -}} b', null, 'ab'],
    ['{{- 1 -}}', null, '1'],
    [
      '{{ printf "%s has %d items (%.1f%%) %v %5.2f|%-4s|" "list" 3 12.345 true 3.14159 "ab" }}',
      null,
      'list has 3 items (12.3%) true  3.14|ab  |',
    ],
    ['{{ len "héllo" }} {{ index . "k" }}|{{ index . "x" }}', new GoMap({ k: 'v' }), '6 v|'],
    ['{{ and 1 0 }} {{ or 0 "" "x" }} {{ not true }}', null, '0 x false'],
    ['{{ print 1 2 "a" "b" 3 }}', null, '1 2ab3'],
    ['{{ 1e6 }} {{ 123456.0 }} {{ 0.0001 }} {{ 0.00001 }}', null, '1e+06 123456 0.0001 1e-05'],
    ['{{ "a\\tb\\"c" }}', null, 'a\tb"c'],
    ['{{ `raw\\n` }}', null, 'raw\\n'],
  ])('%s', (text, data, output) => {
    expect(run(text, data)).toBe(output);
  });

  it('refuses to compare an int with a float, as Go does', () => {
    expect(() => run('{{ gt 1.5 1 }}')).toThrow('incompatible types for comparison');
  });

  it.each([
    ['{{ define "x" }}y{{ end }}', 3, '{{define}} is not supported'],
    ['{{ template "x" }}', 3, '{{template}} is not supported'],
    ['{{ nosuch 1 }}', 3, 'function "nosuch" not defined'],
    ['{{ toTime 1 }}', 3, 'function "toTime" is not supported'],
    ['ab {{ if true }}', 6, 'this block has no {{end}}'],
    ['{{ $undefined }}', 3, 'undefined variable "$undefined"'],
    ['x {{ "unterminated }}', 5, 'unterminated quoted string'],
    ['{{ end }}', 3, 'unexpected {{end}}'],
    ['{{ 1 2 }}', 5, "can't give argument to non-function"],
  ])('refuses %s at offset %i', (text, offset, message) => {
    let caught: unknown;
    try {
      parseTemplate(text, TEMPLATE_FUNCTION_NAMES);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ name: 'TemplateSyntaxError', offset });
    expect((caught as Error).message).toContain(message);
  });
});

describe('alert templates', () => {
  const data = {
    labels: { instance: 'host:9100', job: 'node' },
    externalLabels: { cluster: 'eu1' },
    externalUrl: 'http://prom.example:9090',
    value: 0.0712,
  };

  it('sees $labels, $value, $externalLabels, $externalURL and dot as Prometheus declares them', () => {
    const text =
      '{{ $labels.instance }} at {{ $value | humanizePercentage }} in {{ $externalLabels.cluster }} ({{ .Labels.job }}, {{ $externalURL }}){{ $labels.missing }}';
    expect(expandAlertTemplate(compileAlertTemplate(text), 'A', data, env())).toBe(
      'host:9100 at 7.12% in eu1 (node, http://prom.example:9090)',
    );
  });

  it('turns an execution error into the text Prometheus puts in its place', () => {
    const out = expandAlertTemplate(
      compileAlertTemplate('{{ humanize "one" }}'),
      'HighErrorRate',
      data,
      env(),
    );
    expect(out).toMatch(
      /^<error expanding template: error executing template __alert_HighErrorRate: .*error calling humanize: strconv.ParseFloat: parsing "one": invalid syntax>$/,
    );
  });

  it('reads a missing struct field as an error, a missing label as empty', () => {
    expect(expandAlertTemplate(compileAlertTemplate('{{ .Nope }}'), 'A', data, env())).toContain(
      "can't evaluate field Nope",
    );
  });
});

describe("Go's number formatting", () => {
  it.each<[string, string]>([
    [formatF(2.25, 1), '2.2'],
    [formatF(0.125, 2), '0.12'],
    [formatF(0.375, 2), '0.38'],
    [formatF(0.0004, 2), '0.00'],
    [formatF(0.006, 2), '0.01'],
    [formatF(-1.23456, 3), '-1.235'],
    [formatF(1e22, 1), '10000000000000000000000.0'],
    [formatE(1234.5678, 6), '1.234568e+03'],
    [formatE(0, 2), '0.00e+00'],
    [formatG(1234567), '1.234567e+06'],
    [formatG(123456), '123456'],
    [formatG(0.0001), '0.0001'],
    [formatG(0.00001), '1e-05'],
    [formatG(1e21), '1e+21'],
    [formatG(1234.5, 4), '1234'],
    [formatG(12345, 4), '1.234e+04'],
    [formatG(100, 4), '100'],
    [formatG(-0.5, 4), '-0.5'],
    [formatG(Number.NaN), 'NaN'],
  ])('%s is %s', (got, want) => {
    expect(got).toBe(want);
  });
});
