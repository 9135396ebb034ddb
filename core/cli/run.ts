import type { Engine } from '../engine.js';

/**
 * Until the returned function is called: the first SIGINT/SIGTERM is logged and handed to `first`,
 * a second exits at once (130) without draining.
 */
export function onStopSignals(
  engine: Engine,
  first: (signal: NodeJS.Signals) => void,
  what = 'draining queues',
): () => void {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      engine.logger?.warn({ signal }, 'Second signal: exiting without draining.');
      process.exit(130);
    }
    engine.logger?.info({ signal }, `Shutting down: ${what}. Send the signal again to exit at once.`);
    first(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/**
 * Starts the engine and stops it gracefully on SIGINT/SIGTERM, draining queues; a second signal exits
 * at once. Resolves when the engine has stopped.
 */
export async function runUntilSignalled(engine: Engine): Promise<void> {
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const release = onStopSignals(engine, () => void engine.shutdown().then(stop, stop));
  // Components may hold only unref'd handles; the engine runs until a signal says stop.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  try {
    // A signal during start: shutdown() stops what started, and start() rejects saying so.
    await engine.start().catch((err) => {
      if (engine.state !== 'stopped') throw err;
    });
    await stopped;
  } finally {
    clearInterval(keepAlive);
    release();
  }
}
