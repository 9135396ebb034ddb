/** `{` and `[`: the only first bytes a JSON-RPC message or batch can have (after whitespace). */
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/**
 * The JSON-RPC message or batch in `bytes`, or undefined when it is anything else (not JSON, or JSON
 * without `"jsonrpc": "2.0"`). Never throws: whatever passes through a proxy may be garbage.
 */
export function parseJsonRpc(bytes: Buffer | string): unknown {
  if (!startsLikeJson(bytes)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (Array.isArray(value)) return value.length > 0 && value.every(isMessage) ? value : undefined;
  return isMessage(value) ? value : undefined;
}

/** The id of a single JSON-RPC request, when `message` is one (for an error answered in its place). */
export function requestId(message: unknown): string | number | undefined {
  if (!isMessage(message) || !('method' in message)) return undefined;
  const { id } = message as { id?: unknown };
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

/** Whether `message` is, or is a batch holding, an `initialize` request. */
export function hasInitialize(message: unknown): boolean {
  const all = Array.isArray(message) ? message : [message];
  return all.some((m) => isMessage(m) && (m as { method?: unknown }).method === 'initialize');
}

function isMessage(value: unknown): value is { jsonrpc: '2.0' } {
  return typeof value === 'object' && value !== null && (value as { jsonrpc?: unknown }).jsonrpc === '2.0';
}

// Skips decoding and parsing for what plainly is not JSON (random bytes, log lines).
function startsLikeJson(bytes: Buffer | string): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const c = typeof bytes === 'string' ? bytes.charCodeAt(i) : (bytes[i] as number);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === OPEN_BRACE || c === OPEN_BRACKET;
  }
  return false;
}
