// A Streamable HTTP MCP server with a few tools that embeds Tributary, as the monitoring guide's
// server.py and app.py do by hand: GET /health, GET /ready, GET /metrics, and MCP on POST/GET/DELETE /mcp.
//
//   PORT=8000 node server.js      (tributary.yaml beside this file configures the pipelines)
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { Engine } from 'tributary-telemetry';
import { instrumentMcpServer } from 'tributary-telemetry/mcp';
import { z } from 'zod';

const port = Number(process.env.PORT ?? 8000);
const metricsPort = Number(process.env.TRIBUTARY_PROMETHEUS_PORT ?? 9464);

const engine = await Engine.fromFile(new URL('./tributary.yaml', import.meta.url).pathname);
await engine.start();
// The health_check extension answers /health and /ready from the pipeline's own status; served here too.
const probes = engine.getExtension('health_check');

/** One McpServer per session, each instrumented: every request becomes a span, metrics and logs. */
function mcpServer() {
  const server = instrumentMcpServer(new McpServer({ name: 'example-mcp-server', version: '1.0.0' }), engine);
  server.registerTool(
    'add',
    { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } },
    async ({ a, b }) => ({
      content: [{ type: 'text', text: String(a + b) }],
    }),
  );
  server.registerTool(
    'search_docs',
    { description: 'Searches the docs (slowly)', inputSchema: { query: z.string() } },
    async ({ query }) => {
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 200));
      return { content: [{ type: 'text', text: `3 results for "${query}"` }] };
    },
  );
  server.registerTool('flaky', { description: 'Fails one call in three', inputSchema: {} }, async () =>
    Math.random() < 1 / 3
      ? { isError: true, content: [{ type: 'text', text: 'the backend timed out' }] }
      : { content: [{ type: 'text', text: 'ok' }] },
  );
  return server;
}

const sessions = new Map();

const http = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/health' || url.pathname === '/ready') return probes.handle(req, res);
  if (url.pathname === '/metrics') {
    // The engine's prometheus exporter listens on loopback; this server is the one public port.
    const upstream = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, {
      headers: { accept: req.headers.accept ?? '' },
    });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' });
    return res.end(await upstream.text());
  }
  if (url.pathname !== '/mcp') return json(res, 404, { error: 'not found' });

  const id = req.headers['mcp-session-id'];
  let transport = typeof id === 'string' ? sessions.get(id) : undefined;
  if (!transport) {
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (sid) => sessions.set(sid, transport),
    });
    transport.onclose = () => transport.sessionId && sessions.delete(transport.sessionId);
    await mcpServer().connect(transport);
  }
  await transport.handleRequest(req, res);
});

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

http.listen(port, '127.0.0.1', () =>
  process.stderr.write(`MCP server on http://127.0.0.1:${port}/mcp (health: /health, /ready, /metrics)\n`),
);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    http.close();
    await engine.shutdown();
    process.exit(0);
  });
}
