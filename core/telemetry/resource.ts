import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@opentelemetry/api';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';

/** This process, as `service.instance.id` names it (a UUID v4, as the semantic conventions advise). */
export const INSTANCE_ID = randomUUID();

/**
 * The resource of what a receiver makes in this process: `service.instance.id` set unless given, so
 * that several engines sending to one gateway keep their series apart (Prometheus: `instance`).
 */
export function processResource(attributes: Record<string, AttributeValue>): Resource {
  return resourceFromAttributes({ 'service.instance.id': INSTANCE_ID, ...attributes });
}
