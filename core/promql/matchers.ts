import { compileRe2 } from './re2.js';
import type { Labels, Matcher } from './types.js';

/** One label matcher compiled once: an absent label matches as the empty string (Prometheus). */
export type LabelTest = (labels: Labels) => boolean;

/** A matcher's regular expression: Go's RE2, anchored at both ends, translated by re2.ts. */
export const compileRegex: (source: string) => RegExp = compileRe2;

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
