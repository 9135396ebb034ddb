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
      process.stderr.write(`${signal} again: exiting without draining\n`);
      process.exit(130);
    }
    process.stderr.write(`${signal} received: shutting down (send it again to exit at once)\n`);
    engine.shutdown().then(stop, stop);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await engine.start();
    await stopped;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
