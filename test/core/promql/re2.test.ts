import { describe, expect, it } from 'vitest';
import { compileRe2 } from '../../../core/promql/re2.js';

const matches = (re: string, text: string) => compileRe2(re).test(text);

describe('compileRe2: Prometheus regexps (RE2, anchored, . matching newlines) in JavaScript', () => {
  it('anchors on both ends and lets . match a newline', () => {
    expect(matches('a.c', 'a\nc')).toBe(true);
    expect(matches('b', 'abc')).toBe(false);
    expect(matches('a|b', 'a')).toBe(true);
    expect(matches('a|b', 'ab')).toBe(false);
  });

  it('reads RE2 syntax JavaScript spells differently', () => {
    expect(compileRe2('(?P<x>a+)b').exec('aab')?.groups?.x).toBe('aa');
    expect(matches('(?i)abc', 'ABC')).toBe(true);
    expect(matches('[[:alpha:]]+[[:digit:]]', 'abc1')).toBe(true);
    expect(matches('\\pL+', 'éa')).toBe(true);
    expect(matches('\\p{Greek}', 'α')).toBe(true);
    expect(matches('\\Qa.b\\E', 'a.b')).toBe(true);
    expect(matches('\\Qa.b\\E', 'axb')).toBe(false);
    expect(matches('\\x{263a}', '☺')).toBe(true);
    expect(matches('\\101', 'A')).toBe(true);
    expect(matches('a{', 'a{')).toBe(true);
    expect(matches('a{,2}', 'a{,2}')).toBe(true);
    expect(matches('a{2}', 'aa')).toBe(true);
    expect(matches('\\#\\-', '#-')).toBe(true);
    expect(matches('[]a]+', ']a')).toBe(true);
    expect(matches('\\Aab\\z', 'ab')).toBe(true);
  });

  it("keeps RE2's meaning of \\s (no vertical tab) and . (one code point)", () => {
    expect(matches('\\s', '\v')).toBe(false);
    expect(matches('\\s', '\t')).toBe(true);
    expect(matches('\\S', '\v')).toBe(true);
    expect(matches('.', '😀')).toBe(true);
  });

  it('refuses what Go refuses', () => {
    for (const re of ['(.*', 'a**', '(?=a)', '\\1', 'a{1001}', '[a', '\\', '\\e'])
      expect(() => compileRe2(re), re).toThrow(expect.objectContaining({ kind: 'invalid' }));
  });

  it('matches case-insensitive parts as RE2 folds them', () => {
    expect(matches('.*(?i:duc).*', 'PRODUCTION')).toBe(true);
    expect(matches('(?i:pro)D', 'PROd')).toBe(false);
    expect(matches('a(?i)b(c)', 'aBC')).toBe(true);
    expect(matches('a((?i)b)c', 'aBC')).toBe(false);
    expect(matches('(?i:[a-c]+)x', 'AbCx')).toBe(true);
    expect(matches('(?i:[^a-c])', 'B')).toBe(false);
    expect(matches('(?i:k)', '\u212A')).toBe(true);
    expect(matches('(?i)k', '\u212A')).toBe(true);
    expect(matches('(?i)a(?i:b)', 'AB')).toBe(true);
    expect(matches('(?i:a)(?-i)b', 'AB')).toBe(false);
    expect(matches('x(?i:\\x41)', 'xa')).toBe(true);
  });

  it('refuses, as unsupported, RE2 it cannot translate', () => {
    for (const re of [
      '(?U)a*',
      'a(?m)b',
      '\\C',
      '[\\S]',
      '[[:^alpha:]]',
      '(?i:\\pL)',
      '(?i)a(?-i)b',
      '(?-s).',
      '(?i:[\\x{100}-\\x{FFFF}])',
    ])
      expect(() => compileRe2(re), re).toThrow(expect.objectContaining({ kind: 'unsupported' }));
  });

  it('applies (?i) inside a group or from the middle of one on, as RE2 does', () => {
    expect(matches('(?i:PRO).*', 'production')).toBe(true);
    expect(matches('.*(?i:DUC).*', 'PRODUCTION')).toBe(true);
    expect(matches('((?i)pro)duction', 'PROduction')).toBe(true);
    expect(matches('((?i)pro)duction', 'PRODUCTION')).toBe(false);
    expect(matches('a(?i)b[c-e]', 'aBD')).toBe(true);
    expect(matches('(?i:a(?-i)b)', 'Ab')).toBe(true);
    expect(matches('(?i:a(?-i)b)', 'AB')).toBe(false);
  });
});
