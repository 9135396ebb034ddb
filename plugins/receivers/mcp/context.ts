import { type Context, type ContextManager, context, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { HandlerContext } from './types.js';

/**
 * The context manager `registerGlobal` sets when the process has none. On Node 20 AsyncLocalStorage
 * hooks every promise in the process (see the receiver's README for the measured tax), so it is
 * switched on only once something reads the active context outside a synchronous `context.with`
 * (handler code starting a span, `trace.getActiveSpan()`): until then `with` sets the context for
 * its synchronous extent only, and requests run their handlers as they are. Requests already in
 * flight when it switches on run without their context.
 */
export class OnDemandContextManager implements ContextManager, HandlerContext {
  private readonly storage = new AsyncLocalStorageContextManager();
  private on = false;
  /** While off: the context of the synchronous `with` running now. */
  private current?: Context;

  get propagating(): boolean {
    return this.on;
  }

  active(): Context {
    if (this.on) return this.storage.active();
    if (this.current) return this.current;
    this.on = true;
    return ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    if (this.on) return this.storage.with(ctx, fn, thisArg, ...args);
    const previous = this.current;
    this.current = ctx;
    try {
      return fn.call(thisArg as ThisParameterType<F>, ...args);
    } finally {
      this.current = previous;
    }
  }

  bind<T>(ctx: Context, target: T): T {
    this.on = true;
    return this.storage.bind(ctx, target);
  }

  enable(): this {
    this.storage.enable();
    return this;
  }

  disable(): this {
    this.storage.disable();
    this.on = false;
    return this;
  }
}

const PROBE = ROOT_CONTEXT.setValue(Symbol('tributary.mcp.probe'), true);
let ours: OnDemandContextManager | undefined;

/**
 * How handlers get the request's context: through our manager once it propagates; always when
 * another global manager is set (another OpenTelemetry setup, whose readers we cannot see); never
 * when there is none (the API's no-op manager: nothing can read it).
 */
export function handlerContext(registerGlobal: boolean): HandlerContext {
  if (ours) return ours;
  if (registerGlobal) {
    const manager = new OnDemandContextManager().enable();
    if (context.setGlobalContextManager(manager)) {
      ours = manager;
      return manager;
    }
    manager.disable();
  }
  const propagating = context.with(PROBE, () => context.active() === PROBE);
  return { propagating };
}
