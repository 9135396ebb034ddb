import { ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { OnDemandContextManager } from '../../../../plugins/receivers/mcp/context.js';

const KEY = Symbol('test');
const valueIn = (ctx: typeof ROOT_CONTEXT) => ctx.getValue(KEY);

describe('the context manager registerGlobal sets', () => {
  it('carries nothing across awaits until something reads the active context, and then everything', async () => {
    const manager = new OnDemandContextManager().enable();
    const ctx = ROOT_CONTEXT.setValue(KEY, 'request');
    // Off: a synchronous `with` still sets the context for its extent, without switching on.
    expect(manager.with(ctx, () => valueIn(manager.active()))).toBe('request');
    expect(manager.propagating).toBe(false);
    const lost = await manager.with(ctx, async () => {
      await Promise.resolve();
      return manager.propagating;
    });
    expect(lost).toBe(false);

    // A read outside any `with` (handler code after an await) switches it on for good.
    expect(manager.active()).toBe(ROOT_CONTEXT);
    expect(manager.propagating).toBe(true);
    const carried = await manager.with(ctx, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return valueIn(manager.active());
    });
    expect(carried).toBe('request');
    manager.disable();
  });
});
