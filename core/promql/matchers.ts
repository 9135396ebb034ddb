import type { Labels, Matcher } from './types.js';

/** One label matcher compiled once: an absent label matches as the empty string (Prometheus). */
export type LabelTest = (labels: Labels) => boolean;

/**
 * Prometheus anchors regular expressions on both ends and lets `.` match newlines
 * (`^(?s:re)$`); a leading `(?i)` (Go's inline flag, which JS lacks) becomes the `i` flag.
 */
export function compileRegex(source: string): RegExp {
  const caseless = source.startsWith('(?i)');
  const body = caseless ? source.slice(4) : source;
  return new RegExp(`^(?:${body})$`, caseless ? 'si' : 's');
}

export function compileMatcher(m: Matcher): LabelTest {
  const { name, value } = m;
  switch (m.op) {
    case '=':
      return (labels) => (labels[name] ?? '') === value;
    case '!=':
      return (labels) => (labels[name] ?? '') !== value;
    case '=~': {
      const re = compileRegex(value);
      return (labels) => re.test(labels[name] ?? '');
    }
    case '!~': {
      const re = compileRegex(value);
      return (labels) => !re.test(labels[name] ?? '');
    }
  }
}

/** A test that all `matchers` hold. */
export function compileMatchers(matchers: readonly Matcher[]): LabelTest {
  const tests = matchers.map(compileMatcher);
  return (labels) => {
    for (const test of tests) if (!test(labels)) return false;
    return true;
  };
}
