import type { Instance } from './lifecycle.js';

/** How long past the drain deadline a component's shutdown() may take before it is abandoned. */
export const SHUTDOWN_GRACE_MS = 500;

/** What happens to each instance as it is shut down. */
export interface StopEvents {
  stopping(instance: Instance): void;
  stopped(instance: Instance): void;
  failed(instance: Instance, err: Error): void;
  /** Its shutdown() had not returned when its time was up: stopping goes on without it. */
  abandoned(instance: Instance): void;
}

/**
 * Shuts instances down in order; `drain` aborts after `timeoutMs` (queues stop draining). Once the
 * deadline plus a grace has passed, the instance still stopping is abandoned and the rest are
 * stopped together, waited for one more grace at most: shutdown always returns.
 */
export async function stopInOrder(
  instances: readonly Instance[],
  timeoutMs: number,
  drain: AbortController,
  events: StopEvents,
): Promise<void> {
  const deadline = setTimeout(
    () => drain.abort(new Error(`drain deadline of ${timeoutMs} ms passed`)),
    timeoutMs,
  );
  const limit = after(timeoutMs + SHUTDOWN_GRACE_MS);
  let next = 0;
  try {
    while (next < instances.length && !limit.passed) {
      if (!(await stopWithin(instances[next++] as Instance, limit, events))) break;
    }
    const rest = instances.slice(next);
    if (!rest.length) return;
    const tail = after(SHUTDOWN_GRACE_MS);
    await Promise.all(rest.map((instance) => stopWithin(instance, tail, events)));
    tail.clear();
  } finally {
    clearTimeout(deadline);
    limit.clear();
  }
}

/** True when the instance's shutdown() returned (or threw) before `limit`; false when it was abandoned. */
async function stopWithin(instance: Instance, limit: Limit, events: StopEvents): Promise<boolean> {
  events.stopping(instance);
  const stopped = (async () => instance.component.shutdown())().then(
    () => events.stopped(instance),
    (err) => events.failed(instance, err as Error),
  );
  if (await Promise.race([stopped.then(() => true), limit.reached.then(() => false)])) return true;
  events.abandoned(instance);
  return false;
}

interface Limit {
  readonly reached: Promise<void>;
  readonly passed: boolean;
  clear(): void;
}

/** A promise that resolves after `ms`, with a flag once it has; clear() drops its timer. */
function after(ms: number): Limit {
  let timer: NodeJS.Timeout | undefined;
  const limit = {
    passed: false,
    reached: new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        limit.passed = true;
        resolve();
      }, ms);
    }),
    clear: () => clearTimeout(timer),
  };
  return limit;
}
