import type { Attributes } from '@opentelemetry/api';
import { attributeText } from './labels.js';

/**
 * `job` and `instance` of a resource, as the specification maps them: `job` from service.name
 * (`namespace/name` when service.namespace is set), `instance` from service.instance.id.
 */
export function identityLabels(attributes: Attributes): [string, string][] {
  const name = attributes['service.name'];
  const namespace = attributes['service.namespace'];
  const instance = attributes['service.instance.id'];
  const identity: [string, string][] = [];
  if (name !== undefined)
    identity.push([
      'job',
      namespace === undefined ? attributeText(name) : `${attributeText(namespace)}/${attributeText(name)}`,
    ]);
  if (instance !== undefined) identity.push(['instance', attributeText(instance)]);
  return identity;
}

/** The labels of an instrumentation scope, as the exporter adds them to every series. */
export function scopeLabels(scope: { name: string; version?: string }): [string, string][] {
  const labels: [string, string][] = [];
  if (scope.name) labels.push(['otel_scope_name', scope.name]);
  if (scope.version) labels.push(['otel_scope_version', scope.version]);
  return labels;
}
