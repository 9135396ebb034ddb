import type { Consumer } from '../../core/component.js';
import type { Batch, Signal } from '../../core/signals.js';

/** A next consumer that takes each batch only when the test says so, as a full exporter would. */
export function stalled<S extends Signal>() {
  const batches: Batch<S>[] = [];
  const answers: (() => void)[] = [];
  const next: Consumer<S> = {
    consume: (batch) =>
      new Promise((resolve) => {
        batches.push(batch);
        answers.push(resolve);
      }),
  };
  return {
    next,
    /** Every batch handed to it, taken or not. */
    batches,
    /** Takes the oldest batch not yet taken. */
    takeOne: () => answers.shift()?.(),
    /** Takes every batch handed to it so far. */
    takeAll: () => {
      for (const answer of answers.splice(0)) answer();
    },
  };
}
