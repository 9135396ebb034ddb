import type { Consumer } from '../component.js';
import { type Batch, cloneBatch, type Signal } from '../signals.js';

/**
 * Hands one batch to several consumers. Those that declare `mutatesData` get a private copy, unless
 * no read-only consumer shares the batch, in which case the last of them may take the original.
 * Rejects with the first refusal only when every consumer refused: a consumer that refuses counts
 * its own refusal, and the batch is not refused (nor counted as dropped upstream) for those that took it.
 */
export function fanout<S extends Signal>(signal: S, consumers: Consumer<S>[]): Consumer<S> {
  if (consumers.length === 1) return consumers[0] as Consumer<S>;
  const readOnly = consumers.filter((c) => !c.mutatesData);
  const mutating = consumers.filter((c) => c.mutatesData);
  const cloned = readOnly.length ? mutating : mutating.slice(0, -1);
  const owner = readOnly.length ? undefined : mutating[mutating.length - 1];
  return {
    mutatesData: false,
    async consume(batch: Batch<S>) {
      const pending: Promise<void>[] = [];
      for (const c of readOnly) pending.push(c.consume(batch));
      for (const c of cloned) pending.push(c.consume(cloneBatch(signal, batch)));
      if (owner) pending.push(owner.consume(batch));
      const results = await Promise.allSettled(pending);
      if (results.every((r) => r.status === 'rejected')) throw (results[0] as PromiseRejectedResult).reason;
    },
  };
}
