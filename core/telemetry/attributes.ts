import type { Attributes } from '@opentelemetry/api';
import type { CreateContext } from '../plugin.js';
import type { Signal } from '../signals.js';

/**
 * The attributes of a component's own metrics: `component` (its id), `signal`, and `pipeline` when the
 * instance belongs to one (processors). Build them once per instance, not per batch.
 */
export function componentAttributes(ctx: Pick<CreateContext, 'id' | 'pipeline'>, signal: Signal): Attributes {
  return ctx.pipeline ? { component: ctx.id, signal, pipeline: ctx.pipeline } : { component: ctx.id, signal };
}
