import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { PercentilesConfig } from './config.js';
import { LatencyWindow, type WindowStats } from './window.js';

/** One key's window and the attributes its metrics carry. */
interface Tracked {
  attributes: Attributes;
  window: LatencyWindow;
}

/** What the admin page and `engine.sharedOf(id)` show: every key's stats and the overflow count. */
export interface LatencySummary {
  keys: { attributes: Attributes; stats: WindowStats }[];
  /** Spans not measured because `max_keys` keys were already tracked. */
  overflow_spans: number;
}

/** Latency windows of spans per key, at most `max_keys` of them. Shared by the connector's instances. */
export class LatencyStats {
  private readonly tracked = new Map<string, Tracked>();
  overflowSpans = 0;

  constructor(
    private readonly config: PercentilesConfig,
    private readonly now: () => number = Date.now,
  ) {}

  record(span: ReadableSpan): void {
    const attributes = this.keyOf(span);
    const key = JSON.stringify(attributes);
    let tracked = this.tracked.get(key);
    if (!tracked) {
      if (this.tracked.size >= this.config.max_keys) {
        this.overflowSpans++;
        return;
      }
      tracked = { attributes, window: this.newWindow() };
      this.tracked.set(key, tracked);
    }
    const [s, ns] = span.duration;
    tracked.window.record(s + ns / 1e9);
  }

  /** Every key with samples in its window. */
  summary(): LatencySummary {
    const keys: LatencySummary['keys'] = [];
    for (const { attributes, window } of this.tracked.values()) {
      const stats = window.stats(this.config.quantiles);
      if (stats) keys.push({ attributes, stats });
    }
    return { keys, overflow_spans: this.overflowSpans };
  }

  private keyOf(span: ReadableSpan): Attributes {
    const attributes: Attributes = {};
    for (const name of this.config.keys) {
      const value = span.attributes[name];
      if (value !== undefined) attributes[name] = value;
    }
    return Object.keys(attributes).length ? attributes : { 'span.name': span.name };
  }

  private newWindow(): LatencyWindow {
    const { window, window_size, sub_windows, relative_accuracy } = this.config;
    const rotation = window_size ? { samples: window_size } : { windowMs: window as number, now: this.now };
    return new LatencyWindow(rotation, sub_windows, relative_accuracy);
  }
}
