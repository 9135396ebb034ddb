import type { AttributeValue } from '@opentelemetry/api';
import type { ErrorTrackingConfig } from './config.js';

/** One error as the tracker keeps it: what a user needs to find it again. */
export interface Occurrence {
  type: string;
  message: string;
  /** When it happened (the span's end or the record's time), milliseconds since the epoch. */
  time: number;
  /** trace_id, span_id and the `group_by` attributes it carried. */
  context: Record<string, AttributeValue>;
}

/** The monitoring guide's `get_error_summary()` shape. */
export interface ErrorSummary {
  total_errors: number;
  error_types: Record<string, number>;
  /** The last `recent` occurrences of each type, oldest first (as the guide's `details[-5:]`). */
  recent_errors: Record<
    string,
    { message: string; timestamp: string; context: Record<string, AttributeValue> }[]
  >;
}

/** What the tracker reports when a type passes the threshold in its window. */
export interface Alert {
  type: string;
  /** Errors of this type in the current window. */
  count: number;
  latest: Occurrence;
}

/** Where errors of types past `max_types` are counted. */
export const OVERFLOW_TYPE = '_OTHER';

interface TypeState {
  count: number;
  /** A ring of the latest occurrences; `next` is where the following one goes. */
  recent: Occurrence[];
  next: number;
  windowStart: number;
  windowCount: number;
  alerted: boolean;
}

/** What the tracker reads of the connector's config. */
export type TrackerOptions = Pick<ErrorTrackingConfig, 'recent' | 'alert_threshold' | 'window' | 'max_types'>;

/**
 * Counts errors per type, keeps the latest few of each, and says when a type passes the alert
 * threshold within a window. Windows are per type and tumbling: one starts at the first error after
 * the previous one ended, so memory is constant per type (a burst straddling two windows may not alert).
 */
export class ErrorTracker {
  private readonly types = new Map<string, TypeState>();
  private total = 0;
  /** Errors counted under OVERFLOW_TYPE because `max_types` were already tracked. */
  overflowed = 0;
  constructor(
    private readonly options: TrackerOptions,
    /** The clock windows are measured on (arrival time); injectable for tests. */
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one error; returns the alert it triggers, if any. `type` is the key actually used. */
  record(occurrence: Occurrence): Alert | undefined {
    const state = this.stateOf(occurrence);
    const now = this.now();
    this.total++;
    state.count++;
    if (this.options.recent > 0) {
      state.recent[state.next] = occurrence;
      state.next = (state.next + 1) % this.options.recent;
    }
    if (now - state.windowStart >= this.options.window) {
      state.windowStart = now;
      state.windowCount = 0;
      state.alerted = false;
    }
    state.windowCount++;
    if (state.alerted || state.windowCount <= this.options.alert_threshold) return undefined;
    state.alerted = true;
    return { type: occurrence.type, count: state.windowCount, latest: occurrence };
  }

  private stateOf(occurrence: Occurrence): TypeState {
    let state = this.types.get(occurrence.type);
    if (state) return state;
    if (this.types.size >= this.options.max_types) {
      this.overflowed++;
      // The type it had stays findable in the occurrence's context.
      occurrence.context['error.type'] = occurrence.type;
      occurrence.type = OVERFLOW_TYPE;
      state = this.types.get(OVERFLOW_TYPE);
      if (state) return state;
    }
    state = { count: 0, recent: [], next: 0, windowStart: -Infinity, windowCount: 0, alerted: false };
    this.types.set(occurrence.type, state);
    return state;
  }

  summary(): ErrorSummary {
    const error_types: ErrorSummary['error_types'] = {};
    const recent_errors: ErrorSummary['recent_errors'] = {};
    for (const [type, state] of this.types) {
      error_types[type] = state.count;
      // The ring from its oldest slot: `next` once it has wrapped around.
      const ordered = [...state.recent.slice(state.next), ...state.recent.slice(0, state.next)];
      recent_errors[type] = ordered.map((o) => ({
        message: o.message,
        timestamp: new Date(o.time).toISOString(),
        context: o.context,
      }));
    }
    return { total_errors: this.total, error_types, recent_errors };
  }
}
