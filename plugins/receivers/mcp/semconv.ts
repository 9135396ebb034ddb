import type { Attributes } from '@opentelemetry/api';

/** Names from the OpenTelemetry MCP semantic conventions and the monitoring guide. */
export const ATTR = {
  method: 'mcp.method.name',
  sessionId: 'mcp.session.id',
  protocolVersion: 'mcp.protocol.version',
  requestId: 'jsonrpc.request.id',
  toolName: 'gen_ai.tool.name',
  operationName: 'gen_ai.operation.name',
  promptName: 'gen_ai.prompt.name',
  resourceUri: 'mcp.resource.uri',
  networkTransport: 'network.transport',
  networkProtocol: 'network.protocol.name',
  clientAddress: 'client.address',
  clientPort: 'client.port',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  errorType: 'error.type',
  statusCode: 'rpc.response.status_code',
  toolArguments: 'gen_ai.tool.call.arguments',
  toolResult: 'gen_ai.tool.call.result',
  /** Followed by the prompt argument's name: `gen_ai.prompt.variable.<name>`. */
  promptVariable: 'gen_ai.prompt.variable.',
} as const;

/**
 * JSON-RPC codes that say the caller sent a request the server could not serve (parse error, invalid
 * request, method not found, invalid params, resource not found before 2026-07-28): not an error of
 * the one serving it. Every code is an error to the one who sent the request.
 */
const CALLER_MISTAKES = new Set(['-32700', '-32600', '-32601', '-32602', '-32002']);

/** Whether a JSON-RPC error `code` makes the operation failed, for the side that served it or sent it. */
export function isFailure(code: string, served: boolean): boolean {
  return !served || !CALLER_MISTAKES.has(code);
}

/** Seconds; the MCP semantic conventions' advice for operation and session durations. */
export const DURATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** A request's target: the tool or prompt it names, which ends its span's name. */
export function requestTarget(
  method: string,
  params: Record<string, unknown> | undefined,
): string | undefined {
  if (method !== 'tools/call' && method !== 'prompts/get') return undefined;
  return typeof params?.name === 'string' ? params.name : undefined;
}

/** The resource a request reads or (un)subscribes to. */
export function requestResource(
  method: string,
  params: Record<string, unknown> | undefined,
): string | undefined {
  if (method !== 'resources/read' && method !== 'resources/subscribe' && method !== 'resources/unsubscribe')
    return undefined;
  return typeof params?.uri === 'string' ? params.uri : undefined;
}

/**
 * Adds what a request is about to `attributes`: the tool or prompt it names (its target, see
 * requestTarget), or the resource (see requestResource).
 */
export function describeRequest(
  method: string,
  target: string | undefined,
  resource: string | undefined,
  attributes: Attributes,
): void {
  if (method === 'tools/call' && target) {
    attributes[ATTR.toolName] = target;
    attributes[ATTR.operationName] = 'execute_tool';
  } else if (method === 'prompts/get' && target) attributes[ATTR.promptName] = target;
  else if (resource) attributes[ATTR.resourceUri] = resource;
}
