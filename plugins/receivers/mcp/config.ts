import { z } from 'zod';
import { interval } from '../../../core/config/units.js';
import { parseAddressRange } from './client-address.js';

const Capture = z.strictObject({
  arguments: z
    .boolean()
    .default(false)
    .describe(
      'record tool arguments and prompt arguments (gen_ai.prompt.variable.*; truncated, secrets masked); off by default',
    ),
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
  trusted_proxies: z
    .array(
      z.string().refine((entry) => parseAddressRange(entry) !== undefined, {
        message: 'expected an IP address or a CIDR range, e.g. 10.0.0.1, 10.0.0.0/8 or ::1',
      }),
    )
    .default([])
    .describe(
      'proxies in front of an HTTP server (addresses or CIDR ranges) whose X-Forwarded-For gives client.address; empty: the header is ignored',
    ),
  resource: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .default({ 'service.name': 'mcp-server' })
    .describe('resource attributes of everything this receiver emits'),
});
export type McpConfig = z.output<typeof McpConfig>;
