/** Characters JSON.stringify escapes (it also escapes lone surrogates, which this over-matches). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters JSON escapes are what it looks for
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `JSON.stringify(value).length` without making the string: a response's size when no transport
 * serialized it where the hooks could see (in-memory). Undefined where JSON.stringify gives undefined.
 */
export function jsonLength(value: unknown): number | undefined {
  switch (typeof value) {
    case 'string':
      return stringLength(value);
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4;
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
    let length = 2 + Math.max(0, value.length - 1);
    for (const item of value) length += jsonLength(item) ?? 4;
    return length;
  }
  let length = 2;
  let members = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const member = jsonLength((value as Record<string, unknown>)[key]);
    if (member === undefined) continue;
    length += stringLength(key) + 1 + member;
    members++;
  }
  return length + Math.max(0, members - 1);
}

function stringLength(text: string): number {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text).length : text.length + 2;
}
