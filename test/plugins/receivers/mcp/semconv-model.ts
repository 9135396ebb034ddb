// Reads the vendored OpenTelemetry MCP semantic-convention model (test/fixtures/semconv-genai-mcp):
// which attributes each span and metric takes, at which requirement level, with `ref_group`s resolved
// and later refs overriding earlier ones, as the convention tooling (weaver) resolves them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const MODEL = join(import.meta.dirname, '../../../fixtures/semconv-genai-mcp/model/mcp');

export type Requirement = 'required' | 'conditionally_required' | 'recommended' | 'opt_in';

interface AttributeRef {
  ref?: string;
  ref_group?: string;
  requirement_level?: string | Record<string, string>;
  note?: string;
}
interface Group {
  id: string;
  attributes: AttributeRef[];
}
interface SpanDefinition {
  type: string;
  kind: string;
  attributes: AttributeRef[];
}
interface MetricDefinition {
  name: string;
  instrument: string;
  unit: string;
  attributes: AttributeRef[];
}

/** One attribute of a span or metric as the model resolves it. */
export interface ModelAttribute {
  requirement: Requirement;
  note: string;
}

const read = (file: string) => parse(readFileSync(join(MODEL, file), 'utf8'));
const files = ['common.yaml', 'spans.yaml', 'metrics.yaml'].map(read);
const groups = new Map<string, Group>(
  files.flatMap((f) => (f.attribute_groups ?? []) as Group[]).map((g) => [g.id, g]),
);
const registry = read('registry.yaml') as {
  attributes: { key: string; type: { members?: { value: string; deprecated?: unknown }[] } | string }[];
};

function level(ref: AttributeRef): Requirement | undefined {
  const r = ref.requirement_level;
  if (r === undefined) return undefined;
  return (typeof r === 'string' ? r : Object.keys(r)[0]) as Requirement;
}

function resolve(
  refs: AttributeRef[],
  into = new Map<string, ModelAttribute>(),
): Map<string, ModelAttribute> {
  for (const ref of refs) {
    if (ref.ref_group) {
      const group = groups.get(ref.ref_group);
      if (!group) throw new Error(`the model has no attribute group ${ref.ref_group}`);
      resolve(group.attributes, into);
      continue;
    }
    const key = ref.ref as string;
    const before = into.get(key);
    into.set(key, {
      requirement: level(ref) ?? before?.requirement ?? 'recommended',
      note: ref.note ?? before?.note ?? '',
    });
  }
  return into;
}

/** The attributes of the `mcp.client` or `mcp.server` span, and its kind. */
export function spanModel(type: 'mcp.client' | 'mcp.server') {
  const span = (read('spans.yaml').spans as SpanDefinition[]).find((s) => s.type === type);
  if (!span) throw new Error(`the model has no span ${type}`);
  return { kind: span.kind, attributes: resolve(span.attributes) };
}

/** A metric's instrument, unit and attributes. */
export function metricModel(name: string) {
  const metric = (read('metrics.yaml').metrics as MetricDefinition[]).find((m) => m.name === name);
  if (!metric) throw new Error(`the model has no metric ${name}`);
  return { instrument: metric.instrument, unit: metric.unit, attributes: resolve(metric.attributes) };
}

export const METRICS = (read('metrics.yaml').metrics as MetricDefinition[]).map((m) => m.name);

/** The well-known values of `mcp.method.name`. */
const methodType = registry.attributes.find((a) => a.key === 'mcp.method.name')?.type as
  | { members: { value: string }[] }
  | undefined;
export const METHODS = new Set(methodType?.members.map((m) => m.value));

/** The registry's note on an attribute (e.g. when mcp.session.id must not be set). */
export const registryNote = (key: string) =>
  (registry.attributes.find((a) => a.key === key) as { note?: string } | undefined)?.note ?? '';

/** The JSON-RPC codes a note lists as `-32700` and the like. */
export const codesIn = (note: string) => [...note.matchAll(/`(-\d{5})`/g)].map((m) => m[1] as string);

/** Whether an attribute key is one the model defines (`gen_ai.prompt.variable` is a template: `.<name>`). */
export function defines(attributes: Map<string, ModelAttribute>, key: string): boolean {
  if (attributes.has(key)) return true;
  const template = key.slice(0, key.lastIndexOf('.'));
  return template === 'gen_ai.prompt.variable' && attributes.has(template);
}
