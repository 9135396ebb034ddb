import type { HrTime } from '@opentelemetry/api';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { braces, joinLabels } from '../../../core/prometheus/labels.js';
import { leText, type MetricNames, type PromType } from '../../../core/prometheus/naming.js';

/** `# HELP` text: text format 0.0.4 escapes `\` and newlines, OpenMetrics also `"`. */
const escapeHelp = (help: string, openMetrics: boolean) => {
  const text = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return openMetrics ? text.replace(/"/g, '\\"') : text;
};

/** Text as the UTF-8 bytes a scrape copies; built once per series, never per scrape. */
const utf8 = (text: string) => Buffer.from(text, 'utf8');

const EMPTY = Buffer.alloc(0);

/** True when `a` is strictly earlier than `b`. */
export const isEarlier = (a: HrTime, b: HrTime) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

/**
 * One time series of a counter or gauge. Its sample text up to the value (`name{labels} `) is encoded
 * once, when the series is created; a scrape only copies it and appends the value.
 */
export class ScalarSeries {
  value = 0;
  /** Date.now() of the last update: what metric_expiration is measured from. */
  updated = 0;
  /** The start of the cumulative value: a delta series keeps its first point's. */
  start: HrTime = [0, 0];
  end: HrTime = [0, 0];
  /** Text format 0.0.4. */
  readonly line: Buffer;
  /** OpenMetrics: differs only for a counter whose text name has no `_total` (add_metric_suffixes: false). */
  readonly omLine: Buffer;

  constructor(family: Family, labels: string) {
    const set = braces(labels);
    const line = `${family.names.text}${set} `;
    const omLine = family.type === 'counter' ? `${family.names.openMetrics}_total${set} ` : line;
    this.line = utf8(line);
    this.omLine = omLine === line ? this.line : utf8(omLine);
  }
}

/** One time series of a histogram: `_bucket{le}` lines (cumulative counts, `+Inf` last), `_sum`, `_count`. */
export class HistogramSeries {
  /** Per-bucket counts as OpenTelemetry keeps them (the last one above every bound); summed when written. */
  counts: number[] = [];
  sum = 0;
  hasSum = false;
  count = 0;
  updated = 0;
  start: HrTime = [0, 0];
  end: HrTime = [0, 0];
  bounds: readonly number[] = [];
  /** `name_bucket{labels,le="<bound>"} ` per finite bound; the `+Inf` bucket is `infLine`, counting all. */
  bucketLines: Buffer[] = [];
  readonly infLine: Buffer;
  readonly sumLine: Buffer;
  readonly countLine: Buffer;

  constructor(
    private readonly family: Family,
    private readonly labels: string,
  ) {
    this.infLine = utf8(`${family.names.text}_bucket{${joinLabels(labels, 'le="+Inf"')}} `);
    this.sumLine = utf8(`${family.names.text}_sum${braces(labels)} `);
    this.countLine = utf8(`${family.names.text}_count${braces(labels)} `);
  }

  /** Builds the `_bucket` line prefixes when the bounds are new or changed. */
  setBounds(bounds: readonly number[]): boolean {
    if (bounds === this.bounds || sameNumbers(bounds, this.bounds)) return false;
    this.bounds = bounds;
    const name = `${this.family.names.text}_bucket{`;
    // Some producers end the bounds with +Inf; the +Inf bucket is written once, from the count.
    const finite = bounds[bounds.length - 1] === Number.POSITIVE_INFINITY ? bounds.slice(0, -1) : bounds;
    this.bucketLines = finite.map((b) => utf8(`${name}${joinLabels(this.labels, `le="${leText(b)}"`)}} `));
    return true;
  }

  /** Replaces the state with a cumulative point. Counts are copied: the producer may reuse its arrays. */
  replace(value: Histogram): void {
    this.setBounds(value.buckets.boundaries);
    const counts = value.buckets.counts;
    if (this.counts.length !== counts.length) this.counts = new Array(counts.length);
    for (let i = 0; i < counts.length; i++) this.counts[i] = counts[i] ?? 0;
    this.count = value.count;
    this.hasSum = value.sum !== undefined;
    this.sum = value.sum ?? 0;
  }

  /** Adds a delta point into the running totals; new bounds start the totals over. */
  add(value: Histogram): void {
    if (this.setBounds(value.buckets.boundaries) || this.counts.length !== value.buckets.counts.length) {
      this.replace(value);
      return;
    }
    const counts = value.buckets.counts;
    for (let i = 0; i < counts.length; i++) this.counts[i] = (this.counts[i] ?? 0) + (counts[i] ?? 0);
    this.count += value.count;
    this.hasSum &&= value.sum !== undefined;
    this.sum += value.sum ?? 0;
  }
}

export type Series = ScalarSeries | HistogramSeries;

/** A metric family: one name, type, help and unit, and its series keyed by their label text. */
export class Family {
  readonly series = new Map<string, Series>();
  /** False while the help is a stand-in (the instrument's own name): a later description replaces it. */
  described = false;
  textHeader: Buffer = EMPTY;
  omHeader: Buffer = EMPTY;

  constructor(
    readonly names: MetricNames,
    readonly type: PromType,
    description: string,
    /** The help when no metric of the family has a description: linters want one on every family. */
    fallbackHelp: string,
  ) {
    this.setHelp(description || fallbackHelp);
    this.described = description !== '';
  }

  setHelp(help: string): void {
    this.described = true;
    const { text, openMetrics, unit } = this.names;
    this.textHeader = utf8(`# HELP ${text} ${escapeHelp(help, false)}\n# TYPE ${text} ${this.type}\n`);
    this.omHeader = utf8(
      `# TYPE ${openMetrics} ${this.type}\n` +
        (unit ? `# UNIT ${openMetrics} ${unit}\n` : '') +
        `# HELP ${openMetrics} ${escapeHelp(help, true)}\n`,
    );
  }

  newSeries(labels: string): Series {
    const series =
      this.type === 'histogram' ? new HistogramSeries(this, labels) : new ScalarSeries(this, labels);
    this.series.set(labels, series);
    return series;
  }
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
