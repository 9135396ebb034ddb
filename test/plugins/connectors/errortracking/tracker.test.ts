import { describe, expect, it } from 'vitest';
import { ErrorTracker, type Occurrence } from '../../../../plugins/connectors/errortracking/tracker.js';

const error = (message: string, type = 'Timeout'): Occurrence => ({ type, message, time: 0, context: {} });

describe('ErrorTracker', () => {
  it('opens a new window exactly `window` after the previous one opened, on its clock', () => {
    let now = 1_000;
    const tracker = new ErrorTracker(
      { recent: 0, alert_threshold: 1, window: 60_000, max_types: 10 },
      () => now,
    );
    expect(tracker.record(error('a'))).toBeUndefined();
    expect(tracker.record(error('b'))).toEqual({ type: 'Timeout', count: 2, latest: error('b') });
    now += 59_999;
    expect(tracker.record(error('c'))).toBeUndefined();
    now += 1;
    expect(tracker.record(error('d'))).toBeUndefined();
    expect(tracker.record(error('e'))?.count).toBe(2);
    expect(tracker.summary()).toEqual({
      total_errors: 5,
      error_types: { Timeout: 5 },
      recent_errors: { Timeout: [] },
    });
  });

  it('keeps windows apart per type', () => {
    const tracker = new ErrorTracker(
      { recent: 1, alert_threshold: 1, window: 60_000, max_types: 10 },
      () => 0,
    );
    tracker.record(error('a', 'A'));
    expect(tracker.record(error('b', 'B'))).toBeUndefined();
    expect(tracker.record(error('a2', 'A'))?.type).toBe('A');
    expect(tracker.record(error('b2', 'B'))?.type).toBe('B');
    expect(tracker.summary().recent_errors.A?.map((e) => e.message)).toEqual(['a2']);
  });
});
