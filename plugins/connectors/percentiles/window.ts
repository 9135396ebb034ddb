import { LogCollapsingLowestDenseDDSketch as Sketch } from '@datadog/sketches-js';

/** Bins per sub-sketch: at 0.5% accuracy they span values 1e8 apart (1µs to 100s) before the lowest collapse. */
const BIN_LIMIT = 2048;

/** The statistics of one key's window, in the guide's `get_stats` shape plus every configured quantile. */
export interface WindowStats {
  count: number;
  average: number;
  min: number;
  max: number;
  /** `p50`, `p95`, `p99`...: the value at each configured quantile. */
  [quantile: `p${string}`]: number;
}

/** `p50` for 0.5, `p99.9` for 0.999. */
export const quantileName = (q: number) => `p${Number((q * 100).toFixed(4))}` as const;

/** Which sub-window a sample goes to: by time, or by how many samples the current one holds. */
export type Rotation = { windowMs: number; now: () => number } | { samples: number };

/**
 * A sliding window of one key's latencies in constant memory: a ring of DDSketches, each a
 * sub-window, merged at read. By time, the window spans between (k-1)/k and all of `windowMs`; by
 * count, between the last N and N + N/k samples (k+1 sub-sketches of N/k each).
 */
export class LatencyWindow {
  private readonly slots: Sketch[];
  /** The sub-window number each slot holds (time mode) or how full it is (count mode). */
  private readonly epochs: number[];
  private current = 0;

  constructor(
    private readonly rotation: Rotation,
    private readonly subWindows: number,
    private readonly relativeAccuracy: number,
  ) {
    const n = 'samples' in rotation ? subWindows + 1 : subWindows;
    this.slots = Array.from({ length: n }, () => this.sketch());
    this.epochs = new Array(n).fill(-1);
  }

  record(seconds: number): void {
    this.slotNow().accept(seconds);
  }

  /** The merged window, or undefined when it holds no sample. */
  stats(quantiles: readonly number[]): WindowStats | undefined {
    const merged = this.sketch();
    const live = this.liveEpoch();
    for (const [i, slot] of this.slots.entries())
      if (slot.count > 0 && (live === undefined || (this.epochs[i] as number) > live - this.subWindows))
        merged.merge(slot);
    if (merged.count === 0) return undefined;
    const stats: WindowStats = {
      count: merged.count,
      average: merged.sum / merged.count,
      min: merged.min,
      max: merged.max,
    };
    for (const q of quantiles) stats[quantileName(q)] = merged.getValueAtQuantile(q);
    return stats;
  }

  private slotNow(): Sketch {
    const { rotation } = this;
    if ('samples' in rotation) {
      const perSlot = Math.ceil(rotation.samples / this.subWindows);
      if ((this.slots[this.current] as Sketch).count >= perSlot) {
        this.current = (this.current + 1) % this.slots.length;
        this.slots[this.current] = this.sketch();
      }
      return this.slots[this.current] as Sketch;
    }
    const epoch = this.liveEpoch() as number;
    const i = epoch % this.slots.length;
    if (this.epochs[i] !== epoch) {
      this.slots[i] = this.sketch();
      this.epochs[i] = epoch;
    }
    return this.slots[i] as Sketch;
  }

  /** The current sub-window number in time mode; undefined in count mode. */
  private liveEpoch(): number | undefined {
    const { rotation } = this;
    if ('samples' in rotation) return undefined;
    return Math.floor(rotation.now() / (rotation.windowMs / this.subWindows));
  }

  private sketch(): Sketch {
    return new Sketch({ relativeAccuracy: this.relativeAccuracy, binLimit: BIN_LIMIT });
  }
}
