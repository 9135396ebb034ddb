import type { Engine } from '../engine.js';

/**
 * Starts the engine and stops it gracefully on SIGINT/SIGTERM, draining queues; a second signal exits
 * at once. Resolves when the engine has stopped.
 */
export async function runUntilSignalled(engine: Engine): Promise<void> {
  let signals = 0;
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      engine.logger?.warn({ signal }, 'Second signal: exiting without draining.');
      process.exit(130);
    }
    engine.logger?.info({ signal }, 'Shutting down: draining queues. Send the signal again to exit at once.');
    engine.shutdown().then(stop, stop);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Components may hold only unref'd handles; the engine runs until a signal says stop.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  try {
    await engine.start();
    await stopped;
  } finally {
    clearInterval(keepAlive);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
