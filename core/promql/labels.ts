import type { Labels } from './types.js';

const SEP = '\xff';

/** A string naming a label set: the same for equal sets whatever the key order. */
export function labelsKey(labels: Labels): string {
  const names = Object.keys(labels).sort();
  let key = '';
  for (const name of names) key += `${name}${SEP}${labels[name]}${SEP}`;
  return key;
}

/** Labels as Prometheus prints them: `name{a="1", b="2"}`, names sorted. */
export function formatLabels(labels: Labels): string {
  const { __name__: name, ...rest } = labels;
  const pairs = Object.keys(rest)
    .sort()
    .map((k) => `${k}=${JSON.stringify(rest[k])}`);
  return `${name ?? ''}{${pairs.join(', ')}}`;
}
