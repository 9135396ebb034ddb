import { z } from 'zod';
import { interval } from '../../../core/config/units.js';

const Capture = z.strictObject({
  arguments: z
    .boolean()
    .default(false)
    .describe('record tool arguments (truncated, secrets masked); off by default'),
  results: z
    .boolean()
    .default(false)
    .describe('record tool results (truncated, secrets masked); off by default'),
  max_length: z.number().int().min(16).default(1024).describe('the most characters kept of a captured value'),
  redact_keys: z
    .array(z.string())
    .default(['password', 'token', 'secret', 'api_key', 'authorization', 'cookie'])
    .describe(
      'keys whose values are masked wherever they occur in captured values (case-insensitive substring)',
    ),
});

export const McpConfig = z.strictObject({
  capture: Capture.prefault({}),
  collection_interval: interval()
    .prefault('1s')
    .describe(
      'how often the MCP metrics are sent down the pipeline (pull exporters also get them on scrape)',
    ),
  request_logs: z
    .boolean()
    .default(true)
    .describe('log "Request started" and "Request completed" for every request'),
  resource: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .default({ 'service.name': 'mcp-server' })
    .describe('resource attributes of everything this receiver emits'),
});
export type McpConfig = z.output<typeof McpConfig>;
