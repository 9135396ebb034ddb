import type { Attributes } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { CreateContext } from '../plugin.js';
import type { Signal } from '../signals.js';

/**
 * The attributes of a component's own metrics: `component` (its id), `signal`, and `pipeline` when the
 * instance belongs to one (processors). Build them once per instance, not per batch.
 */
export function componentAttributes(ctx: Pick<CreateContext, 'id' | 'pipeline'>, signal: Signal): Attributes {
  return ctx.pipeline ? { component: ctx.id, signal, pipeline: ctx.pipeline } : { component: ctx.id, signal };
}

/** `logger` with `component` and `signal` bound, adding only what it lacks (no duplicate JSON keys). */
export function componentLogger(logger: Logger, component: string, signal: string): Logger {
  const bound = logger.bindings();
  const missing: Record<string, string> = {};
  if (!('component' in bound)) missing.component = component;
  if (!('signal' in bound)) missing.signal = signal;
  return Object.keys(missing).length > 0 ? logger.child(missing) : logger;
}
