import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { z } from 'zod';

/** Whether `s` compiles as a regular expression. */
export function isRegExp(s: string): boolean {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}

/** How names and values are compared, as the Collector's filterset `match_type`. */
export const MatchType = z.enum(['strict', 'regexp']);
export type MatchType = z.output<typeof MatchType>;

/**
 * A test of text against any of `patterns`: equal (`strict`), or the regular expression found in it
 * (`regexp`, unanchored as the Collector's Go `MatchString`: anchor with ^...$ for a whole name).
 */
export function textMatcher(patterns: readonly string[], type: MatchType): (text: string) => boolean {
  if (type === 'strict') {
    const set = new Set(patterns);
    return (text) => set.has(text);
  }
  const res = patterns.map((p) => new RegExp(p));
  return (text) => res.some((re) => re.test(text));
}

/** A test that attributes hold every `{key: value}` (values compared as text, by `type`). */
export function attributesMatcher(
  wanted: Readonly<Record<string, AttributeValue>>,
  type: MatchType,
): (attributes: Attributes) => boolean {
  const tests = Object.entries(wanted).map(
    ([key, value]) => [key, textMatcher([String(value)], type)] as const,
  );
  return (attributes) =>
    tests.every(([key, test]) => attributes[key] !== undefined && test(String(attributes[key])));
}
