import { metrics } from '@opentelemetry/api';
import { container } from 'tsyringe';
import type { Component, Consumer, Host } from '../component.js';
import type { CreateContext, PluginDefinition } from '../plugin.js';
import { createLogger } from '../telemetry/logger.js';

export interface ConformanceOptions {
  /** The config to create the plugin with (before defaults); `{}` when not given. */
  config?: unknown;
}

const noopConsumer: Consumer = { consume: async () => {} };
const timers = () =>
  process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** A Host for tests: no extensions, a silent logger, a no-op meter. */
export function testHost(): Host {
  return {
    getExtension: () => undefined,
    reportStatus: () => {},
    logger: createLogger('silent'),
    meter: metrics.getMeter('tributary-test'),
    shutdownSignal: new AbortController().signal,
  };
}

/** A CreateContext for creating a plugin's component by hand in a unit test. */
export function testContext<C>(config: C, id = 'test'): CreateContext<C> {
  return {
    id,
    kind: 'receiver',
    type: id.split('/')[0] as string,
    config,
    logger: createLogger('silent'),
    meter: metrics.getMeter('tributary-test'),
    container: container.createChildContainer(),
  };
}

/**
 * Checks what the engine relies on of every component a plugin creates: it starts and shuts down,
 * shutdown is idempotent, shutdown without start works, and no timers are left behind.
 * Throws an Error naming the first broken rule. Test-runner agnostic: call it from any test.
 */
export async function checkConformance(
  plugin: PluginDefinition,
  options: ConformanceOptions = {},
): Promise<string[]> {
  const parsed = plugin.config.safeParse(options.config ?? {});
  if (!parsed.success)
    throw new Error(
      `${plugin.type}: config ${JSON.stringify(options.config ?? {})} is invalid: ${parsed.error.message}`,
    );
  const ctx = { ...testContext(parsed.data, plugin.type), kind: plugin.kind };
  const creators: [string, () => Component][] =
    plugin.kind === 'extension'
      ? [['extension', () => plugin.create(ctx)]]
      : Object.entries(plugin.create).map(([route, create]) => [
          route,
          () => (create as (c: CreateContext, n: Consumer) => Component)(ctx, noopConsumer),
        ]);
  const checked: string[] = [];
  for (const [route, create] of creators) {
    const where = `${plugin.kind} "${plugin.type}" (${route})`;
    await create()
      .shutdown()
      .catch((err: Error) => {
        throw new Error(`${where}: shutdown() without start() must resolve, it rejected: ${err.message}`);
      });
    await settle();
    const before = timers();
    const component = create();
    await component.start(testHost());
    await component.shutdown();
    await component.shutdown().catch((err: Error) => {
      throw new Error(`${where}: a second shutdown() must resolve, it rejected: ${err.message}`);
    });
    await settle();
    const after = timers();
    if (after > before) throw new Error(`${where}: ${after - before} timer(s) left running after shutdown()`);
    checked.push(route);
  }
  return checked;
}
