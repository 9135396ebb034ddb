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

/** Compiled selectors by matcher list: a rule's selector is the same array every cycle. */
const compiled = new WeakMap<readonly Matcher[], LabelTest>();

/** A test that all `matchers` hold, compiled once per matcher list. */
export function compileMatchers(matchers: readonly Matcher[]): LabelTest {
  let test = compiled.get(matchers);
  if (!test) {
    const tests = matchers.map(compileMatcher);
    test = (labels) => {
      for (const t of tests) if (!t(labels)) return false;
      return true;
    };
    compiled.set(matchers, test);
  }
  return test;
}
