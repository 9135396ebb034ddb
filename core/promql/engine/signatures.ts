import type { Labels, VectorMatching } from '../types.js';

const SEP = '\xff';

export type Signature = (labels: Labels) => string;

/** Computed signatures per matching clause or aggregation: rules re-evaluate the same series each cycle. */
const cache = new WeakMap<object, Signature>();

/**
 * The key two samples must share to match: the `on(...)` labels, or every label but the
 * `ignoring(...)` ones and `__name__`. An empty value counts as absent, as in Prometheus.
 */
export function signatureOf(m: VectorMatching): Signature {
  return keyed(m, m.on, m.labels);
}

/** The key of an aggregation's group: its `by (...)` labels, or all but `without (...)` and `__name__`. */
export function groupingKeyOf(owner: object, grouping: readonly string[], without: boolean): Signature {
  return keyed(owner, !without, grouping);
}

function keyed(owner: object, on: boolean, names: readonly string[]): Signature {
  let sig = cache.get(owner);
  if (!sig) {
    sig = memoized(on ? onLabels([...names].sort()) : ignoringLabels(new Set([...names, '__name__'])));
    cache.set(owner, sig);
  }
  return sig;
}

function onLabels(names: readonly string[]): Signature {
  return (labels) => {
    let key = '';
    for (const name of names) {
      const v = labels[name];
      if (v) key += `${name}${SEP}${v}${SEP}`;
    }
    return key;
  };
}

function ignoringLabels(excluded: ReadonlySet<string>): Signature {
  return (labels) => {
    let key = '';
    for (const name of Object.keys(labels).sort()) {
      const v = labels[name];
      if (v && !excluded.has(name)) key += `${name}${SEP}${v}${SEP}`;
    }
    return key;
  };
}

function memoized(sig: Signature): Signature {
  const known = new WeakMap<Labels, string>();
  return (labels) => {
    let key = known.get(labels);
    if (key === undefined) {
      key = sig(labels);
      known.set(labels, key);
    }
    return key;
  };
}

/** The labels a match is made on (labels.MatchLabels), for error messages. */
export function matchLabels(labels: Labels, m: VectorMatching): Labels {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(labels)) {
    const listed = m.labels.includes(name);
    if (m.on ? listed : !listed && name !== '__name__') out[name] = v;
  }
  return out;
}
