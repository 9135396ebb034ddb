import type { Sample, Series } from '../types.js';

/**
 * One sample of an instant vector inside the evaluator. `dropName`: a function or operator that
 * changes the value has run on it, so `__name__` goes; with delayed name removal the label stays
 * until the query's end (Prometheus's DropName flag).
 */
export interface Elem extends Sample {
  readonly dropName: boolean;
}

export interface ElemSeries extends Series {
  readonly dropName: boolean;
}

/** A node's value at one evaluation step. A range vector knows its window for the functions. */
export type StepValue =
  | { readonly type: 'scalar'; readonly v: number }
  | { readonly type: 'string'; readonly v: string }
  | { readonly type: 'vector'; readonly samples: readonly Elem[] }
  | {
      readonly type: 'matrix';
      readonly series: readonly ElemSeries[];
      readonly rangeStart: number;
      readonly rangeEnd: number;
    };
