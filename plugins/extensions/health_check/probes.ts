import type { ComponentView, EngineStatus } from '../../../core/status.js';

/** The monitoring guide's liveness answer: the process answers, so it is healthy. */
export function health(status: EngineStatus, version = status.version, now = Date.now()) {
  return {
    status: 'healthy',
    timestamp: now / 1000,
    uptime: (now - status.startedAt.getTime()) / 1000,
    version,
  };
}

/**
 * Why the engine is not ready, or undefined when it is: it is running and every component's last
 * status is `ok` (an exporter whose sends fail reports `recoverable_error` until one succeeds).
 * With `checkExporters` false, an exporter's failing sends do not count.
 */
export function notReady(status: EngineStatus, checkExporters = true): string | undefined {
  const state = status.state();
  const sendsFail = (c: ComponentView) =>
    c.kind === 'exporter' && (c.status === 'recoverable_error' || c.status === 'permanent_error');
  const problems = status
    .list()
    .filter((c) => c.status !== 'ok' && (checkExporters || !sendsFail(c)))
    .map(describe);
  if (state !== 'running') problems.unshift(`the engine is ${state}`);
  return problems.length > 0 ? problems.join('; ') : undefined;
}

function describe({ kind, id, status, error }: ComponentView): string {
  const name = `${kind} "${id}"`;
  const why = error ? `: ${error.message}` : '';
  switch (status) {
    case 'recoverable_error':
      return `${name} is failing${why}`;
    case 'permanent_error':
      return `${name} failed${why}`;
    default:
      return `${name} is ${status}`;
  }
}
