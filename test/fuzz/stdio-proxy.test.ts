// The stdio proxy with a real mcp receiver: any bytes in, the same bytes out, both ways, however they
// are chunked, and the engine keeps its pipeline.
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningPipeline, startPipeline } from '../../core/testing/index.js';
import { builtins } from '../../plugins/index.js';
import { LineSplitter } from '../../plugins/receivers/mcp/proxy/lines.js';
import { runStdioProxy } from '../../plugins/receivers/mcp/proxy/stdio.js';
import type { McpHooks } from '../../plugins/receivers/mcp/types.js';
import { cut, mcpBytes } from './mcp-messages.js';
import { fuzzSettings, fuzzTimeout } from './settings.js';

const ECHO_SERVER = join(import.meta.dirname, '../plugins/receivers/mcp/proxy/fixtures/echo-server.mjs');
const logger = pino({ level: 'silent' });
let pipeline: RunningPipeline;
let hooks: McpHooks;

beforeAll(async () => {
  pipeline = await startPipeline(
    `receivers: { mcp: }
exporters: { sink: }
service: { pipelines: { traces: { receivers: [mcp], exporters: [sink] }, metrics: { receivers: [mcp], exporters: [sink] } } }
`,
    { plugins: builtins },
  );
  const shared = pipeline.engine.sharedOf<McpHooks>('mcp');
  if (!shared) throw new Error('the mcp receiver shares no hooks');
  hooks = shared;
});
afterAll(() => pipeline.shutdown());

async function relay(chunks: readonly Buffer[]): Promise<{ code: number; out: Buffer }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const out: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  const exit = runStdioProxy(hooks, process.execPath, [ECHO_SERVER, '0'], {
    stdin,
    stdout,
    stderr: new PassThrough(),
    logger,
    signals: [],
  });
  for (const chunk of chunks) stdin.write(chunk);
  stdin.end();
  return { code: await exit, out: Buffer.concat(out) };
}

describe('fuzz: stdio proxy', () => {
  it(
    'relays any bytes, however chunked, unchanged (a real server process per case)',
    async () => {
      await fc.assert(
        fc.asyncProperty(mcpBytes, fc.array(fc.nat(), { maxLength: 8 }), async (bytes, at) => {
          const { code, out } = await relay(cut(bytes, at));
          expect(code).toBe(0);
          expect(out.equals(bytes)).toBe(true);
        }),
        fuzzSettings(12, 100),
      );
    },
    fuzzTimeout(12, 100, 100),
  );

  it(
    'splits lines the same however the bytes are chunked, holding at most the line limit',
    () => {
      const lines = (chunks: readonly Buffer[], max: number) => {
        const seen: string[] = [];
        const splitter = new LineSplitter(
          (line) => seen.push(line.toString('latin1')),
          (bytes) => seen.push(`skipped ${bytes}`),
          max,
        );
        for (const chunk of chunks) splitter.push(chunk);
        splitter.end();
        return seen;
      };
      fc.assert(
        fc.property(
          mcpBytes,
          fc.array(fc.nat(), { maxLength: 12 }),
          fc.integer({ min: 1, max: 200 }),
          (bytes, at, max) => {
            const whole = lines([bytes], max);
            expect(lines(cut(bytes, at), max)).toEqual(whole);
            for (const line of whole)
              if (!line.startsWith('skipped')) expect(line.length).toBeLessThanOrEqual(max);
          },
        ),
        fuzzSettings(500),
      );
    },
    fuzzTimeout(500),
  );
});
