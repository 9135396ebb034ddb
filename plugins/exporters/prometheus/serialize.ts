import type { Family, HistogramSeries, ScalarSeries } from './series.js';
import type { MetricStore } from './store.js';

export type Format = 'text' | 'openmetrics';

export const CONTENT_TYPES: Readonly<Record<Format, string>> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

const NEWLINE = 10;
/** The longest number text (`-1.7976931348623157e+308`) and a newline fit in this. */
const NUMBER_ROOM = 32;
const EOF = Buffer.from('# EOF\n');

/**
 * The exposition as bytes, written straight into one buffer: each series' text up to its value was
 * encoded when the series was created, so a scrape copies those bytes and appends numbers (measured:
 * several times faster than concatenating strings and encoding the result).
 */
class Output {
  buf: Buffer;
  at = 0;

  constructor(expected: number) {
    this.buf = Buffer.allocUnsafe(Math.max(4096, expected));
  }

  bytes(bytes: Buffer): void {
    if (this.at + bytes.length > this.buf.length) this.grow(bytes.length);
    this.buf.set(bytes, this.at);
    this.at += bytes.length;
  }

  /** `prefix` then `value` then a newline: one sample. */
  sample(prefix: Buffer, value: number): void {
    if (this.at + prefix.length + NUMBER_ROOM > this.buf.length) this.grow(prefix.length + NUMBER_ROOM);
    const buf = this.buf;
    buf.set(prefix, this.at);
    let at = this.at + prefix.length;
    // v - v is 0 only for finite numbers; NaN and the infinities are spelled as both formats want.
    const text = value - value === 0 ? `${value}` : value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
    for (let i = 0; i < text.length; i++) buf[at++] = text.charCodeAt(i);
    buf[at++] = NEWLINE;
    this.at = at;
  }

  private grow(needed: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + needed));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
}

/** Writes the store in text format 0.0.4 or OpenMetrics 1.0. */
export function render(store: MetricStore, format: Format): Buffer {
  const om = format === 'openmetrics';
  // Sized from the last scrape, so a steady exposition is written without growing the buffer.
  const out = new Output(store.lastScrapeBytes + (store.lastScrapeBytes >> 3));
  for (const family of store.families.values()) {
    if (family.series.size === 0) continue;
    out.bytes(om ? family.omHeader : family.textHeader);
    if (family.type === 'histogram') histograms(out, family, om);
    else scalars(out, family, om);
  }
  if (om) out.bytes(EOF);
  store.lastScrapeBytes = out.at;
  return out.buf.subarray(0, out.at);
}

function scalars(out: Output, family: Family, om: boolean): void {
  for (const s of family.series.values() as MapIterator<ScalarSeries>)
    out.sample(om ? s.omLine : s.line, s.value);
}

function histograms(out: Output, family: Family, om: boolean): void {
  for (const s of family.series.values() as MapIterator<HistogramSeries>) {
    const lines = s.bucketLines;
    const counts = s.counts;
    let cumulative = 0;
    for (let i = 0; i < lines.length; i++) {
      cumulative += counts[i] ?? 0;
      out.sample(lines[i] as Buffer, cumulative);
    }
    out.sample(s.infLine, s.count);
    // OpenMetrics leaves the sum out when observations were negative (it must be a counter there).
    if (s.hasSum && !(om && s.sum < 0)) out.sample(s.sumLine, s.sum);
    out.sample(s.countLine, s.count);
  }
}
