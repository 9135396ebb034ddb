import { labelsKey } from '../labels.js';
import type { Labels, Point } from '../types.js';
import { PromqlEvalError } from './errors.js';
import { DUPLICATE_LABELSET } from './names.js';
import type { ElemSeries, StepValue } from './values.js';

interface Building {
  readonly labels: Labels;
  readonly points: Point[];
  readonly dropName: boolean;
}

/** Collects step values, in time order, into series (a range query's or a subquery's result). */
export class SeriesBuilder {
  private readonly byLabels = new Map<string, Building>();

  /** Adds the value at step `t`: a scalar becomes a point of the series with no labels. */
  addStep(t: number, v: StepValue): void {
    if (v.type === 'scalar') this.add({}, t, v.v, false);
    else if (v.type === 'vector') for (const s of v.samples) this.add(s.labels, t, s.v, s.dropName);
  }

  series(): ElemSeries[] {
    return [...this.byLabels.values()];
  }

  private add(labels: Labels, t: number, v: number, dropName: boolean): void {
    const key = labelsKey(labels);
    const s = this.byLabels.get(key);
    if (!s) {
      this.byLabels.set(key, { labels, points: [{ t, v }], dropName });
      return;
    }
    if (s.points[s.points.length - 1]?.t === t) throw new PromqlEvalError(DUPLICATE_LABELSET);
    s.points.push({ t, v });
  }
}
