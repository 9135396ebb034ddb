import { PromqlEvalError } from '../engine/errors.js';
import type { Labels, Sample } from '../types.js';
import { stringArg, vectorArg } from './arguments.js';
import type { Calls } from './call.js';
import { expandReplacement } from './expand.js';
import { replaceRegexp } from './replace-regexp.js';

/**
 * Prometheus 3 accepts any non-empty UTF-8 label name. Bytes that are not UTF-8 reach us as U+FFFD
 * (the parser decodes string literals so), or as a lone surrogate.
 */
function checkLabelName(name: string, which: 'source' | 'destination', func: string): void {
  if (name === '' || /[\uD800-\uDFFF\uFFFD]/u.test(name))
    throw new PromqlEvalError(`invalid ${which} label name in ${func}(): ${name}`);
}

/** Sets (or, with an empty value, removes) one label. */
function withLabel(labels: Labels, name: string, value: string): Labels {
  if (value === '') {
    if (!(name in labels)) return labels;
    const { [name]: _removed, ...rest } = labels;
    return rest;
  }
  return { ...labels, [name]: value };
}

export const LABELS: Calls = {
  // Only samples whose source label matches the (anchored) regexp change; the metric name stays.
  label_replace: (args, ctx) => {
    const [dst, replacement, src, regex] = [1, 2, 3, 4].map((i) => stringArg(args, i)) as [
      string,
      string,
      string,
      string,
    ];
    const re = replaceRegexp(regex);
    checkLabelName(dst, 'destination', 'label_replace');
    return vectorArg(args, 0).map((s): Sample => {
      const match = re.exec(s.labels[src] ?? '');
      return {
        labels: match ? withLabel(s.labels, dst, expandReplacement(replacement, match)) : s.labels,
        t: ctx.t,
        v: s.v,
      };
    });
  },
  label_join: (args, ctx) => {
    const dst = stringArg(args, 1);
    const separator = stringArg(args, 2);
    const sources = args.slice(3).map((_, i) => stringArg(args, i + 3));
    for (const src of sources) checkLabelName(src, 'source', 'label_join');
    checkLabelName(dst, 'destination', 'label_join');
    return vectorArg(args, 0).map(
      (s): Sample => ({
        labels: withLabel(s.labels, dst, sources.map((src) => s.labels[src] ?? '').join(separator)),
        t: ctx.t,
        v: s.v,
      }),
    );
  },
};
