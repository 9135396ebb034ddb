import { compareLabels, formatLabels } from '../../promql/labels.js';
import type { Labels } from '../../promql/types.js';

/** What promtool prints and compares: failures read the same from `tributary test-rules` as from promtool. */

const UNITS: readonly [string, number][] = [
  ['y', 365 * 86_400_000],
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/** A duration as Prometheus's model.Duration prints it: `3m15s`, `1h30m`, `0s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.abs(ms);
  let text = ms < 0 ? '-' : '';
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) text += `${n}${unit}`;
    rest -= n * size;
  }
  return text;
}

/** A float as Go's strconv.FormatFloat(v, 'E', -1, 64): `5E-01`, `4E+01`, `1.25E+00`, `+Inf`, `NaN`. */
export function formatFloatE(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const [mantissa, exponent] = v.toExponential().split('e') as [string, string];
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}E${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

export interface LabelsAndAnnotations {
  readonly labels: Labels;
  readonly annotations: Labels;
}

export function compareAlerts(a: LabelsAndAnnotations, b: LabelsAndAnnotations): number {
  return compareLabels(a.labels, b.labels) || compareLabels(a.annotations, b.annotations);
}

/** promtool's list of alerts: `[]`, or `[` then `0:` with its Labels and Annotations lines, `]`. */
export function formatAlerts(alerts: readonly LabelsAndAnnotations[]): string {
  if (alerts.length === 0) return '[]';
  const items = alerts.map(
    (a, i) =>
      `${i}:${indentLines(`\nLabels:${formatLabels(a.labels)}\nAnnotations:${formatLabels(a.annotations)}`, '  ')}`,
  );
  return `[\n${items.join(',\n')}\n]`;
}

export interface LabeledValue {
  readonly labels: Labels;
  readonly value: number;
}

/** promtool's list of samples: `nil`, or `{labels} 5E-01, ...`. */
export function formatSamples(samples: readonly LabeledValue[]): string {
  if (samples.length === 0) return 'nil';
  return samples.map((s) => `${formatLabels(s.labels)} ${formatFloatE(s.value)}`).join(', ');
}

/** Every line but the first gets `indent` in front. */
export function indentLines(lines: string, indent: string): string {
  return lines.split('\n').join(`\n${indent}`);
}

/** Go's %q of a string. */
export function quote(text: string): string {
  return JSON.stringify(text);
}
