// Periodic.cancel: what a receiver whose runs are costly (HTTP checks) calls at shutdown, instead of
// stop(), which runs once more.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Periodic } from '../../../core/sdk/periodic.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('Periodic.cancel', () => {
  it('stops the ticks, waits for the run in flight and starts no other', async () => {
    vi.useFakeTimers();
    let runs = 0;
    let finish = () => {};
    const periodic = new Periodic(() => {
      runs++;
      return new Promise<void>((resolve) => {
        finish = resolve;
      });
    });
    periodic.start(1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(1);

    let cancelled = false;
    void periodic.cancel().then(() => {
      cancelled = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(cancelled).toBe(false); // the run in flight has not ended
    finish();
    await vi.advanceTimersByTimeAsync(5000);
    expect(cancelled).toBe(true);
    expect(runs).toBe(1);
  });
});
