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
  clientAddress: 'client.address',
  errorType: 'error.type',
  toolArguments: 'gen_ai.tool.call.arguments',
  toolResult: 'gen_ai.tool.call.result',
} as const;

/** Seconds; the MCP semantic conventions' advice for operation and session durations. */
export const DURATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** What a request is about: the tool or prompt it names (the span name's target), and its attributes. */
export function describeRequest(
  method: string,
  params: unknown,
): { target?: string; attributes: Record<string, string> } {
  const p = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
  const name = typeof p.name === 'string' ? p.name : undefined;
  switch (method) {
    case 'tools/call':
      return name
        ? { target: name, attributes: { [ATTR.toolName]: name, [ATTR.operationName]: 'execute_tool' } }
        : { attributes: {} };
    case 'prompts/get':
      return name ? { target: name, attributes: { [ATTR.promptName]: name } } : { attributes: {} };
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe':
      return typeof p.uri === 'string' ? { attributes: { [ATTR.resourceUri]: p.uri } } : { attributes: {} };
    default:
      return { attributes: {} };
  }
}
