/**
 * `JSON.stringify(value).length` without making the string: a response's size when no transport
 * serialized it where the hooks could see (in-memory). Undefined where JSON.stringify gives undefined.
 */
export function jsonLength(value: unknown): number | undefined {
  switch (typeof value) {
    case 'string':
      return stringLength(value);
    case 'number':
      return numberLength(value);
    case 'boolean':
      return value ? 4 : 5;
    case 'object':
      return value === null ? 4 : objectLength(value);
    case 'bigint':
      // As JSON.stringify, which throws on it.
      throw new TypeError('Do not know how to serialize a BigInt');
    default:
      return undefined;
  }
}

function objectLength(value: object): number | undefined {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return jsonLength(toJSON.call(value, ''));
  if (Array.isArray(value)) {
    let length = value.length > 0 ? value.length + 1 : 2;
    for (let i = 0; i < value.length; i++) length += jsonLength(value[i]) ?? 4;
    return length;
  }
  const keys = Object.keys(value);
  let length = 2;
  let members = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const member = jsonLength((value as Record<string, unknown>)[key]);
    if (member === undefined) continue;
    length += stringLength(key) + 1 + member;
    members++;
  }
  return members > 1 ? length + members - 1 : length;
}

function numberLength(value: number): number {
  if (!Number.isFinite(value)) return 4;
  // Small integers (ids, counts) without making their text.
  if (Number.isInteger(value) && value >= 0 && value < 1e9)
    return value < 10 ? 1 : value < 100 ? 2 : value < 1e3 ? 3 : value < 1e4 ? 4 : String(value).length;
  return String(value).length;
}

/** Quotes included; `"`, `\`, control characters and lone surrogates escaped as JSON.stringify does. */
function stringLength(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff))
      return JSON.stringify(text).length;
  }
  return text.length + 2;
}
