// An instrumented MCP SDK server with one `search` tool, and a client linked to it in memory: how the
// alert tests put tool errors into real MCP traffic.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Engine } from '../core/engine.js';
import { instrumentMcpServer } from '../plugins/receivers/mcp/instrument.js';

/** A client of a server whose `search` tool answers with `search()` (or throws what it throws). */
export async function searchClient(
  engine: Engine,
  description: string,
  search: () => Promise<CallToolResult>,
): Promise<Client> {
  const server = new McpServer({ name: 'flaky-server', version: '1.0.0' });
  server.registerTool('search', { description }, search);
  instrumentMcpServer(server, engine);
  const client = new Client({ name: 'e2e-client', version: '1.0.0' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  return client;
}
