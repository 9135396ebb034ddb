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

/** Adds what a request is about to `attributes`: the tool, prompt or resource it names. */
export function describeRequest(
  method: string,
  params: Record<string, unknown> | undefined,
  attributes: Attributes,
): void {
  if (!params) return;
  const name = typeof params.name === 'string' ? params.name : undefined;
  switch (method) {
    case 'tools/call':
      if (name) {
        attributes[ATTR.toolName] = name;
        attributes[ATTR.operationName] = 'execute_tool';
      }
      return;
    case 'prompts/get':
      if (name) attributes[ATTR.promptName] = name;
      return;
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe':
      if (typeof params.uri === 'string') attributes[ATTR.resourceUri] = params.uri;
      return;
  }
}
