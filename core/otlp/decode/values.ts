import type { Attributes, HrTime } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import { DecodeError } from './protobuf.js';

/*
 * Readers for a decoded OTLP request in the OTLP/JSON shape (from JSON.parse or protobuf.ts): each
 * checks the type it expects and throws a DecodeError naming the field when a JSON body holds
 * something else. 64-bit integers may be numbers, decimal strings or bigints.
 */

export type Json = Record<string, unknown>;

/** What a request held: the items the pipeline can take, and how many it could not (and why). */
export interface Converted<T> {
  items: T[];
  rejected: number;
  /** What the rejected items were, for the partial_success error message. */
  what: string;
}

export function object(value: unknown, field: string): Json {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new DecodeError(`${field}: expected an object`);
  return value as Json;
}

export function list(value: unknown, field: string): Json[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new DecodeError(`${field}: expected an array`);
  return value as Json[];
}

/** A repeated message field: an array whose every element is an object (null is no message). */
export function objects(value: unknown, field: string): Json[] {
  const items = list(value, field);
  for (const [i, item] of items.entries())
    if (item === null || typeof item !== 'object' || Array.isArray(item))
      throw new DecodeError(`${field}[${i}]: expected an object`);
  return items;
}

export function text(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new DecodeError(`${field}: expected a string`);
  return value;
}

/** A number from a JSON number, a decimal string (int64, "NaN", "Infinity") or a bigint. */
export function number(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    if (!Number.isNaN(n) || value === 'NaN') return n;
  }
  throw new DecodeError(`${field}: expected a number`);
}

/** A number, or undefined when the field is absent (optional double). */
export function optionalNumber(value: unknown, field: string): number | undefined {
  return value === undefined || value === null ? undefined : number(value, field);
}

const NANOS_PER_SECOND = 1_000_000_000n;

/** Nanoseconds since the epoch (fixed64) as an HrTime, exactly. */
export function hrTime(value: unknown, field: string): HrTime {
  let nanos: bigint;
  try {
    nanos = typeof value === 'bigint' ? value : BigInt((value as string | number | undefined) ?? 0);
  } catch {
    throw new DecodeError(`${field}: expected nanoseconds as an integer`);
  }
  return [Number(nanos / NANOS_PER_SECOND), Number(nanos % NANOS_PER_SECOND)];
}

/** The time between two HrTimes, as an HrTime. */
export function hrDuration(start: HrTime, end: HrTime): HrTime {
  let seconds = end[0] - start[0];
  let nanos = end[1] - start[1];
  if (nanos < 0) {
    seconds -= 1;
    nanos += 1e9;
  }
  return [seconds, nanos];
}

const HEX_ID = /^[0-9a-f]+$/;
/** A trace id (16 bytes) or span id (8 bytes) as lower-case hex; undefined when it is not one. */
export function id(value: unknown, bytes: 8 | 16): string | undefined {
  if (typeof value !== 'string' || value.length !== bytes * 2) return undefined;
  const hex = value.toLowerCase();
  return HEX_ID.test(hex) && !/^0+$/.test(hex) ? hex : undefined;
}

/** An AnyValue as the JavaScript value the SDK would have held. */
export function anyValue(value: unknown, field: string): unknown {
  const v = object(value, field);
  if (v.stringValue !== undefined) return text(v.stringValue, field);
  if (v.boolValue !== undefined) return v.boolValue === true;
  if (v.intValue !== undefined) return number(v.intValue, field);
  if (v.doubleValue !== undefined) return number(v.doubleValue, field);
  if (v.arrayValue !== undefined) {
    return list(object(v.arrayValue, field).values, field).map((item) => anyValue(item, field));
  }
  if (v.kvlistValue !== undefined) return attributes(object(v.kvlistValue, field).values, field);
  if (v.bytesValue !== undefined) return bytes(v.bytesValue, field);
  return undefined;
}

function bytes(value: unknown, field: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  return new Uint8Array(Buffer.from(text(value, field), 'base64'));
}

/** A KeyValue list as an attribute map; an empty value leaves its key out. */
export function attributes(value: unknown, field = 'attributes'): Attributes {
  const out: Record<string, unknown> = {};
  for (const kv of objects(value, field)) {
    const key = text(object(kv, field).key, `${field}.key`);
    const v = anyValue(kv.value, `${field}.${key}`);
    if (v !== undefined) out[key] = v;
  }
  return out as Attributes;
}

/** The resource of one Resource* level, made once and shared by its items. */
export function resourceOf(level: Json, field: string): Resource {
  const resource = object(level.resource, `${field}.resource`);
  const schemaUrl = text(level.schemaUrl, `${field}.schemaUrl`);
  return resourceFromAttributes(
    attributes(resource.attributes, `${field}.resource.attributes`),
    schemaUrl ? { schemaUrl } : undefined,
  );
}

/** The instrumentation scope of one Scope* level (its attributes too, which the SDK serializers write). */
export function scopeOf(level: Json, field: string): InstrumentationScope {
  const scope = object(level.scope, `${field}.scope`);
  const schemaUrl = text(level.schemaUrl, `${field}.schemaUrl`);
  const version = text(scope.version, `${field}.scope.version`);
  const scopeAttributes = attributes(scope.attributes, `${field}.scope.attributes`);
  // Keys only when set: the serializers write what a scope has, and the SDK leaves unset ones out.
  const out: { name: string; version?: string; schemaUrl?: string; attributes?: Attributes } = {
    name: text(scope.name, `${field}.scope.name`),
  };
  if (version) out.version = version;
  if (schemaUrl) out.schemaUrl = schemaUrl;
  if (Object.keys(scopeAttributes).length > 0) out.attributes = scopeAttributes;
  return out;
}

/** One item of a request with the resource and scope it sits under (shared by the items beside it). */
export interface Placed {
  item: Json;
  resource: Resource;
  scope: InstrumentationScope;
}

/**
 * Every item of a traces or logs request: `request[levels[0]][i][levels[1]][j][levels[2]][k]`, e.g.
 * `resourceSpans`, `scopeSpans`, `spans`.
 */
export function* itemsOf(request: Json, levels: readonly [string, string, string]): Generator<Placed> {
  const [resourceKey, scopeKey, itemKey] = levels;
  for (const [r, rl] of objects(request[resourceKey], resourceKey).entries()) {
    const resource = resourceOf(object(rl, resourceKey), `${resourceKey}[${r}]`);
    for (const [s, sl] of objects(rl[scopeKey], scopeKey).entries()) {
      const scope = scopeOf(object(sl, scopeKey), `${resourceKey}[${r}].${scopeKey}[${s}]`);
      for (const item of objects(sl[itemKey], itemKey))
        yield { item: object(item, itemKey), resource, scope };
    }
  }
}
