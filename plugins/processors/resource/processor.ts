import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import { attributeActions } from '../../../core/attributes/actions.js';
import type { Consumer, Processor } from '../../../core/component.js';
import type { Batch, Signal } from '../../../core/signals.js';
import type { ResourceConfig } from './config.js';

/** The `resource` processor: the actions on the resource of every span, log record and metric. */
export class ResourceProcessor<S extends Signal> implements Processor<S> {
  /** It gives each item a new resource. */
  readonly mutatesData = true;
  private readonly apply: ReturnType<typeof attributeActions>;

  constructor(
    config: ResourceConfig,
    private readonly next: Consumer<S>,
  ) {
    this.apply = attributeActions(config.attributes);
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  consume(batch: Batch<S>): Promise<void> {
    // Items of one batch mostly share one resource: it is changed once.
    const changed = new Map<Resource, Resource>();
    for (const item of batch as { resource: Resource }[]) {
      let resource = changed.get(item.resource);
      if (!resource) {
        resource = resourceFromAttributes(this.apply(item.resource.attributes), {
          schemaUrl: item.resource.schemaUrl,
        });
        changed.set(item.resource, resource);
      }
      item.resource = resource;
    }
    return this.next.consume(batch);
  }
}
