import type { LoadedConfig } from '../config/load.js';
import type { Engine } from '../engine.js';
import { TributaryError, TributaryErrors } from '../errors.js';

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
 * On SIGHUP, reloads the engine from what `read` returns: a config with mistakes is refused, each
 * mistake logged, and the running graph goes on. Returns the function that stops listening.
 */
function onReloadSignal(engine: Engine, read: () => Promise<LoadedConfig>): () => void {
  const onHangup = () => {
    engine.logger?.info({ signal: 'SIGHUP' }, 'Reloading the config.');
    read()
      .then((source) => engine.reload(source))
      .catch((err: unknown) => {
        const problems = err instanceof TributaryErrors ? err.errors : [err];
        for (const problem of problems)
          engine.logger?.error(problem instanceof TributaryError ? problem.format() : { err: problem });
        engine.logger?.error(
          { errors: problems.length },
          'Config reload refused: the previous config keeps running. Fix the config and send SIGHUP again.',
        );
      });
  };
  process.on('SIGHUP', onHangup);
  return () => process.off('SIGHUP', onHangup);
}

/**
 * Starts the engine and stops it gracefully on SIGINT/SIGTERM, draining queues; a second signal exits
 * at once. With `reload`, SIGHUP reloads the config it reads. Resolves when the engine has stopped.
 */
export async function runUntilSignalled(engine: Engine, reload?: () => Promise<LoadedConfig>): Promise<void> {
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const releaseReload = reload ? onReloadSignal(engine, reload) : () => {};
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
    releaseReload();
  }
}
