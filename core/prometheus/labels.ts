import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { labelName } from './naming.js';

const NEEDS_ESCAPE = /[\\"\n]/;

/** A label value as it goes between quotes: `\`, `"` and newlines escaped. */
export function escapeLabelValue(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Strings as they are; numbers and booleans as text; arrays as JSON, as the attribute spec says. */
export function attributeText(value: AttributeValue | undefined | null): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Label names of attribute keys seen so far: keys repeat on every point, so sanitize each once. */
const names = new Map<string, string>();
const NAME_CACHE_LIMIT = 10_000;

function cachedLabelName(key: string): string {
  let name = names.get(key);
  if (name === undefined) {
    name = labelName(key);
    if (names.size >= NAME_CACHE_LIMIT) names.clear();
    names.set(key, name);
  }
  return name;
}

/** One label as it is written: `name="value"`. */
export const label = (name: string, value: string) => `${name}="${escapeLabelValue(value)}"`;

/**
 * Attributes as labels `[name, value]`, sorted by label name, so a series is the same whatever order
 * its attributes come in. Labels named in `skip` are left out. Keys that become the same label name
 * (`a.b` and `a_b`) share one label whose values are joined with `;` in the order of the original
 * keys, as the compatibility specification says.
 */
export function attributeEntries(attributes: Attributes, skip?: ReadonlySet<string>): [string, string][] {
  const keys = Object.keys(attributes);
  const named: [name: string, key: string][] = [];
  let renamed = false;
  for (const key of keys) {
    if (attributes[key] === undefined) continue;
    const name = cachedLabelName(key);
    if (skip?.has(name)) continue;
    if (name !== key) renamed = true;
    named.push([name, key]);
  }
  if (named.length > 1) named.sort(byNameThenKey);
  const entries: [string, string][] = [];
  for (let i = 0; i < named.length; i++) {
    const [name, key] = named[i] as [string, string];
    let value = attributeText(attributes[key]);
    // Sorted, so keys that collide on one name are neighbours (only possible when a key was renamed).
    while (renamed && i + 1 < named.length && (named[i + 1] as [string, string])[0] === name) {
      i++;
      value += `;${attributeText(attributes[(named[i] as [string, string])[1]])}`;
    }
    entries.push([name, value]);
  }
  return entries;
}

/** Attributes as label pairs `[name, 'name="value"']` (see attributeEntries). */
export function attributePairs(attributes: Attributes, skip?: ReadonlySet<string>): [string, string][] {
  return attributeEntries(attributes, skip).map(([name, value]) => [name, label(name, value)]);
}

/** Attributes as label text: `a="1",b="x"` (see attributePairs). */
export function attributeLabels(attributes: Attributes, skip?: ReadonlySet<string>): string {
  const pairs = attributePairs(attributes, skip);
  let out = '';
  for (const [, text] of pairs) out += out === '' ? text : `,${text}`;
  return out;
}

const byNameThenKey = (a: [string, string], b: [string, string]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

/** `{labels}`, or nothing when there are none. */
export const braces = (labels: string) => (labels === '' ? '' : `{${labels}}`);

/** Two label texts joined with a comma where both have labels. */
export const joinLabels = (a: string, b: string) => (a === '' ? b : b === '' ? a : `${a},${b}`);
