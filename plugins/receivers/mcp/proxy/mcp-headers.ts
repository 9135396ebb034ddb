import type { IncomingHttpHeaders } from 'node:http';
import { isStateless, META } from '../protocol-2026.js';

/**
 * What a Streamable HTTP POST of revision 2026-07-28 says in its headers, before its body is read:
 * `Mcp-Method` (every request) and `Mcp-Name` (`params.name` of tools/call and prompts/get,
 * `params.uri` of resources/read), with the `MCP-Protocol-Version` it speaks.
 */
export interface RequestLabel {
  method: string;
  name?: string;
  version?: string;
}

/** The label of a request, or undefined when it has no `Mcp-Method` header (older revisions). */
export function requestLabel(headers: IncomingHttpHeaders): RequestLabel | undefined {
  const method = decodeHeaderValue(single(headers['mcp-method']));
  if (!method) return undefined;
  const name = decodeHeaderValue(single(headers['mcp-name']));
  const version = single(headers['mcp-protocol-version']);
  return { method, ...(name !== undefined ? { name } : {}), ...(version ? { version } : {}) };
}

const SENTINEL = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;

/**
 * A header value as the client meant it: values that are not plain ASCII travel Base64-encoded as
 * `=?base64?...?=` (the markers are case-sensitive). Undefined for an absent or undecodable value.
 */
export function decodeHeaderValue(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!value.startsWith('=?base64?')) return value;
  const encoded = SENTINEL.exec(value)?.[1];
  if (encoded === undefined) return undefined;
  const bytes = Buffer.from(encoded, 'base64');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** The JSON-RPC request a label stands for, answered by `id`: for a body the proxy could not read. */
export function labelledRequest(label: RequestLabel, id: string | number): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (label.name !== undefined) params[label.method === 'resources/read' ? 'uri' : 'name'] = label.name;
  if (isStateless(label.version)) params._meta = { [META.protocolVersion]: label.version };
  return { jsonrpc: '2.0', id, method: label.method, params };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
