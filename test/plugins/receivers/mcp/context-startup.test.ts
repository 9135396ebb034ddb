// Context propagation from the very first request: a process that reads the active context once at
// startup, after instrumenting, runs every handler in its request's context (see the README).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { expect, it } from 'vitest';
import { startPipeline } from '../../../../core/testing/index.js';
import { builtins } from '../../../../plugins/index.js';
import { instrumentMcpServer } from '../../../../plugins/receivers/mcp/instrument.js';

const CONFIG = `receivers: { mcp: {} }
exporters: { sink: }
service:
  pipelines:
    traces: { receivers: [mcp], exporters: [sink] }
`;

it('joins the spans of the first request handler to its request span when the context was read at startup', async () => {
  const pipeline = await startPipeline(CONFIG, { plugins: builtins });
  const server = instrumentMcpServer(new McpServer({ name: 's', version: '1' }), pipeline.engine);
  expect(trace.getActiveSpan()).toBeUndefined();
  server.registerTool('lookup', {}, async () => {
    await new Promise((resolve) => setImmediate(resolve));
    trace.getTracer('app').startActiveSpan('database lookup', (span) => span.end());
    return { content: [{ type: 'text', text: 'found' }] };
  });
  const client = new Client({ name: 'c', version: '1' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  await client.callTool({ name: 'lookup', arguments: {} });
  await pipeline.shutdown();

  const spans = pipeline.recorded.items('traces') as ReadableSpan[];
  const request = spans.find((s) => s.name === 'tools/call lookup');
  const child = spans.find((s) => s.name === 'database lookup');
  expect(child?.spanContext().traceId).toBe(request?.spanContext().traceId);
  expect(child?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
});
