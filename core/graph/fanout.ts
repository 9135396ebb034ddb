import type { Consumer } from '../component.js';
import { type Batch, cloneBatch, type Signal } from '../signals.js';

/**
 * A node's consumer, and whether a batch handed to it may be changed: by the consumer itself or by
 * anything downstream it passes the batch to without a copy (the Collector's capabilities node).
 */
export interface Target<S extends Signal = Signal> {
  consumer: Consumer<S>;
  mutates: boolean;
}

/**
 * Hands one batch to several targets. Those that mutate get a private copy, unless no read-only
 * target shares the batch, in which case the last of them may take the original: a fan-out that
 * mutates is itself handed a copy by the fan-out before it. Rejects with the first refusal only when
 * every target refused: a target that refuses counts its own refusal, and the batch is not refused
 * (nor counted as dropped upstream) for those that took it.
 */
export function fanout<S extends Signal>(signal: S, targets: Target<S>[]): Target<S> {
  if (targets.length === 1) return targets[0] as Target<S>;
  const readOnly = targets.filter((t) => !t.mutates).map((t) => t.consumer);
  const mutating = targets.filter((t) => t.mutates).map((t) => t.consumer);
  const cloned = readOnly.length ? mutating : mutating.slice(0, -1);
  const owner = readOnly.length ? undefined : mutating[mutating.length - 1];
  const mutates = mutating.length > 0;
  return {
    mutates,
    consumer: {
      mutatesData: mutates,
      async consume(batch: Batch<S>) {
        const pending: Promise<void>[] = [];
        for (const c of readOnly) pending.push(c.consume(batch));
        for (const c of cloned) pending.push(c.consume(cloneBatch(signal, batch)));
        if (owner) pending.push(owner.consume(batch));
        const results = await Promise.allSettled(pending);
        if (results.every((r) => r.status === 'rejected')) throw (results[0] as PromiseRejectedResult).reason;
      },
    },
  };
}
