import type { HrTime } from '@opentelemetry/api';

/*
 * JSON text for telemetry values, built as strings without an intermediate object tree.
 * Total: every JavaScript value encodes to valid JSON, nothing throws.
 *   bigint -> decimal string ("12345678901234567890"), as proto3 JSON writes int64
 *   NaN, Infinity, -Infinity -> null, as JSON.stringify does
 *   Uint8Array -> base64 string, as OTLP/JSON does
 *   Date -> ISO string, Map -> object, Set -> array, Error -> { name, message }
 *   undefined, functions, symbols -> null in arrays, key left out in objects
 *   a cycle -> "[Circular]"; nesting deeper than 64 -> "[Too deep]"
 */

const MAX_DEPTH = 64;

// Attribute keys repeat across items (low cardinality): their JSON text is made once.
const KEY_CACHE_LIMIT = 10_000;
const keyCache = new Map<string, string>();

/** JSON text of an object key: `"tool.name"`. */
export function jsonKey(key: string): string {
  let json = keyCache.get(key);
  if (json === undefined) {
    json = JSON.stringify(key);
    if (keyCache.size < KEY_CACHE_LIMIT) keyCache.set(key, json);
  }
  return json;
}

/** JSON text of a finite number, else `null`. */
export function jsonNumber(value: number): string {
  return Number.isFinite(value) ? `${value}` : 'null';
}

/** JSON text of any value; see the rules above. */
export function jsonValue(value: unknown): string {
  return nested(value, undefined);
}

/** JSON text of an attribute map: `{}` when absent. */
export function jsonAttributes(attributes: object | undefined): string {
  if (attributes === undefined || attributes === null) return '{}';
  return plainObjectJson(attributes as Record<string, unknown>, undefined);
}

/** True when `value` has no JSON text of its own (it is left out of objects, `null` in arrays). */
export function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

// `ancestors` is allocated on the first nested object only: scalars, the common case, cost nothing.
function nested(value: unknown, ancestors: object[] | undefined): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? `${value}` : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `"${value}"`;
    case 'object':
      return value === null ? 'null' : objectJson(value, ancestors ?? []);
    default:
      return 'null';
  }
}

function objectJson(value: object, ancestors: object[]): string {
  if (ancestors.includes(value)) return '"[Circular]"';
  if (ancestors.length >= MAX_DEPTH) return '"[Too deep]"';
  if (value instanceof Uint8Array) {
    return `"${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}"`;
  }
  ancestors.push(value);
  try {
    if (Array.isArray(value)) return arrayJson(value, ancestors);
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'null' : `"${value.toISOString()}"`;
    if (value instanceof Error) {
      return `{"name":${JSON.stringify(value.name)},"message":${JSON.stringify(value.message)}}`;
    }
    if (value instanceof Map) {
      let out = '{';
      for (const [k, v] of value) {
        if (isOmitted(v)) continue;
        if (out.length > 1) out += ',';
        out += `${JSON.stringify(String(k))}:${nested(v, ancestors)}`;
      }
      return `${out}}`;
    }
    if (value instanceof Set) return arrayJson([...value], ancestors);
    if (ArrayBuffer.isView(value)) {
      return 'length' in value
        ? arrayJson(Array.from(value as unknown as ArrayLike<unknown>), ancestors)
        : 'null';
    }
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      let replaced: unknown;
      try {
        replaced = toJSON.call(value);
      } catch {
        return 'null';
      }
      return replaced === value ? '{}' : nested(replaced, ancestors);
    }
    return plainObjectJson(value as Record<string, unknown>, ancestors);
  } finally {
    ancestors.pop();
  }
}

function arrayJson(items: readonly unknown[], ancestors: object[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    const item = items[i];
    out += isOmitted(item) ? 'null' : nested(item, ancestors);
  }
  return `${out}]`;
}

function plainObjectJson(value: Record<string, unknown>, ancestors: object[] | undefined): string {
  let out = '{';
  for (const key of Object.keys(value)) {
    let item: unknown;
    try {
      item = value[key];
    } catch {
      continue; // a throwing getter: leave the key out rather than lose the line
    }
    if (isOmitted(item)) continue;
    if (out.length > 1) out += ',';
    out += `${jsonKey(key)}:${nested(item, ancestors)}`;
  }
  return `${out}}`;
}

// Times: items of a batch share few distinct seconds, so each second's ISO text is formatted once and
// kept in a small direct-mapped cache (two interleaved sources still hit).
const TIME_SLOTS = 16;
const slotSecond = new Float64Array(TIME_SLOTS).fill(Number.NaN);
const slotPrefix: string[] = new Array<string>(TIME_SLOTS).fill('');
const MAX_DATE_MS = 8.64e15;

/** Milliseconds since the epoch of an HrTime (`[seconds, nanoseconds]`), NaN when it is not one. */
export function hrTimeToMs(time: HrTime | undefined): number {
  if (!time) return Number.NaN;
  return time[0] * 1000 + time[1] / 1e6;
}

/** JSON text of an HrTime as ISO 8601 UTC with milliseconds (`"2025-01-02T03:04:05.678Z"`), or `null`. */
export function jsonTime(time: HrTime | undefined): string {
  // Whole milliseconds first: seconds * 1000 + 999.999999 would round up to the next second.
  const ms = time ? Math.floor(time[0] * 1000 + Math.floor(time[1] / 1e6)) : Number.NaN;
  if (!(Math.abs(ms) <= MAX_DATE_MS)) return 'null';
  const second = Math.floor(ms / 1000);
  const slot = second & (TIME_SLOTS - 1);
  let prefix = slotPrefix[slot] as string;
  if (slotSecond[slot] !== second) {
    prefix = `"${new Date(second * 1000).toISOString().slice(0, -4)}`; // through the '.', without "000Z"
    slotPrefix[slot] = prefix;
    slotSecond[slot] = second;
  }
  const millis = ms - second * 1000;
  return `${prefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z"`;
}

/** An HrTime as ISO 8601 UTC with milliseconds, or undefined when it is not a valid time. */
export function isoTime(time: HrTime | undefined): string | undefined {
  const json = jsonTime(time);
  return json === 'null' ? undefined : json.slice(1, -1);
}
