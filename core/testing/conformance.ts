import { metrics } from '@opentelemetry/api';
import type { Component, Consumer, Host } from '../component.js';
import { container } from '../container.js';
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

/** What a test may give `testHost` instead of its defaults, e.g. a logger or meter to assert on. */
export type TestHostOptions = Partial<Pick<Host, 'logger' | 'meter' | 'shutdownSignal'>>;

/** A Host for tests: no extensions; unless given, a silent logger, a no-op meter, a signal that never aborts. */
export function testHost(options: TestHostOptions = {}): Host {
  const {
    logger = createLogger('silent'),
    meter = metrics.getMeter('tributary-test'),
    shutdownSignal = new AbortController().signal,
  } = options;
  return { getExtension: () => undefined, reportStatus: () => {}, logger, meter, shutdownSignal };
}

/** What a test may give `testContext` instead of its defaults: the kind, a pipeline, a logger or meter to assert on. */
export type TestContextOptions = Partial<Pick<CreateContext, 'kind' | 'logger' | 'meter' | 'pipeline'>>;

/**
 * A CreateContext for creating a plugin's component by hand in a unit test. Unless given: kind
 * `receiver`, no pipeline, a silent logger, a no-op meter.
 */
export function testContext<C>(config: C, id = 'test', options: TestContextOptions = {}): CreateContext<C> {
  const {
    kind = 'receiver',
    logger = createLogger('silent'),
    meter = metrics.getMeter('tributary-test'),
  } = options;
  return {
    id,
    kind,
    type: id.split('/')[0] as string,
    config,
    logger,
    meter,
    container: container.createChildContainer(),
    ...(options.pipeline === undefined ? {} : { pipeline: options.pipeline }),
    shared: sharedPerContext(),
  };
}

/** `ctx.shared` for hand-made contexts: one value per context, as the engine gives one per component id. */
function sharedPerContext(): CreateContext['shared'] {
  let made = false;
  let value: unknown;
  return <T>(make: () => T): T => {
    if (!made) [made, value] = [true, make()];
    return value as T;
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
  // A fresh context for every instance, as a fresh engine would give.
  const ctx = () => ({ ...testContext(parsed.data, plugin.type), kind: plugin.kind });
  const creators: [string, () => Component][] =
    plugin.kind === 'extension'
      ? [['extension', () => plugin.create(ctx())]]
      : Object.entries(plugin.create).map(([route, create]) => [
          route,
          () => (create as (c: CreateContext, n: Consumer) => Component)(ctx(), noopConsumer),
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
