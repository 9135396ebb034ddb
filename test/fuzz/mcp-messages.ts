// Arbitraries for MCP traffic as a proxy sees it: well-formed JSON-RPC messages, near misses and noise.
import fc from 'fast-check';

const METHODS = [
  'initialize',
  'notifications/initialized',
  'tools/list',
  'tools/call',
  'resources/read',
  'prompts/get',
  'ping',
  'server/discover',
  'subscriptions/listen',
  'notifications/cancelled',
  'x/unknown',
];
const id = fc.oneof(fc.integer(), fc.string({ maxLength: 6 }), fc.constant(null));
const json = fc.jsonValue({ maxDepth: 3 });

const request = fc.record(
  {
    jsonrpc: fc.constant('2.0'),
    id,
    method: fc.constantFrom(...METHODS),
    params: fc.oneof(
      json,
      fc.record({ name: fc.string({ maxLength: 8 }), arguments: json, _meta: json }, { requiredKeys: [] }),
    ),
  },
  { requiredKeys: ['jsonrpc', 'method'] },
);
const response = fc.record(
  {
    jsonrpc: fc.constant('2.0'),
    id,
    result: fc.oneof(json, fc.record({ isError: fc.boolean(), content: json }, { requiredKeys: [] })),
    error: fc.record(
      { code: fc.integer(), message: fc.string({ maxLength: 10 }), data: json },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['jsonrpc'] },
);
const message = fc.oneof(request, response);

/** One line of MCP's stdio framing: a message, a batch, or something that is not one. */
export const mcpLine = fc.oneof(
  { weight: 4, arbitrary: message.map((m) => `${JSON.stringify(m)}\n`) },
  { weight: 1, arbitrary: fc.array(message, { maxLength: 3 }).map((b) => `${JSON.stringify(b)}\r\n`) },
  { weight: 1, arbitrary: json.map((v) => `${JSON.stringify(v)}\n`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

/** Bytes of a stream: lines, raw bytes (invalid UTF-8 included), cut into chunks anywhere. */
export const mcpBytes = fc
  .array(
    fc.oneof(
      mcpLine.map((l) => Buffer.from(l)),
      fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
    ),
    {
      maxLength: 30,
    },
  )
  .map((parts) => Buffer.concat(parts));

/** `bytes` cut at the given offsets (each taken modulo the length), in order. */
export function cut(bytes: Buffer, at: readonly number[]): Buffer[] {
  const offsets = [...new Set(at.map((n) => (bytes.length ? n % bytes.length : 0)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const offset of offsets) {
    if (offset > start) chunks.push(bytes.subarray(start, offset));
    start = Math.max(start, offset);
  }
  chunks.push(bytes.subarray(start));
  return chunks.filter((c) => c.length > 0);
}
