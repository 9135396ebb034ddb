// Issue 9's promise: with tool arguments captured by the mcp receiver, `redaction` keeps secrets from every exporter.
// A real SDK McpServer and Client over an in-memory pair, instrumented into a real engine.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type RunningPipeline, startPipeline } from '../../../../core/testing/index.js';
import { builtins } from '../../../../plugins/index.js';
import { instrumentMcpClient, instrumentMcpServer } from '../../../../plugins/receivers/mcp/instrument.js';

const API_KEY = 'k-live-93f1c0ffee42';
const BEARER = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.Zm9v';

// The receiver's own masking is off (redact_keys: []), so only the processor stands between the secrets and the sink.
const CONFIG = (
  processors: string,
) => `receivers: { mcp: { capture: { arguments: true, results: true, redact_keys: [] } } }
processors: { redaction: {} }
exporters: { sink: }
service:
  pipelines:
    traces: { receivers: [mcp], processors: ${processors}, exporters: [sink] }
    metrics: { receivers: [mcp], processors: ${processors}, exporters: [sink] }
    logs: { receivers: [mcp], processors: ${processors}, exporters: [sink] }
`;

let pipeline: RunningPipeline | undefined;
afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = undefined;
});

/** Calls a tool with a secret argument and a bearer token inside a string; returns all the sink got, as JSON. */
async function exported(processors: string): Promise<string> {
  pipeline = await startPipeline(CONFIG(processors), { plugins: builtins });
  const server = new McpServer({ name: 'weather', version: '1.0.0' });
  server.registerTool(
    'forecast',
    { inputSchema: { city: z.string(), api_key: z.string(), note: z.string() } },
    async ({ city }) => ({ content: [{ type: 'text', text: `sunny in ${city}` }] }),
  );
  instrumentMcpServer(server, pipeline.engine);
  const client = instrumentMcpClient(new Client({ name: 'agent', version: '1.0.0' }), pipeline.engine);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  await client.callTool({
    name: 'forecast',
    arguments: { city: 'Lisbon', api_key: API_KEY, note: `upstream wants Authorization: Bearer ${BEARER}` },
  });
  await client.close();
  await pipeline.shutdown();
  const batches = (['traces', 'metrics', 'logs'] as const).flatMap((s) => pipeline?.recorded.of(s) ?? []);
  const seen = new WeakSet<object>();
  // SDK objects link back to their providers: serialise each object once.
  return JSON.stringify(batches, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return undefined;
      seen.add(value);
    }
    return typeof value === 'bigint' ? String(value) : value;
  });
}

describe('redaction after the mcp receiver with capture.arguments on', () => {
  it('keeps an api_key argument and a bearer token inside a string from reaching the exporter', async () => {
    const json = await exported('[redaction]');
    expect(json).toContain('gen_ai.tool.call.arguments');
    expect(json).toContain('Lisbon');
    expect(json).toContain('sunny in Lisbon');
    expect(json).not.toContain(API_KEY);
    expect(json).not.toContain(BEARER);
  });

  it('without redaction both secrets do reach it (the check above can fail)', async () => {
    const json = await exported('[]');
    expect(json).toContain(API_KEY);
    expect(json).toContain(BEARER);
  });
});
