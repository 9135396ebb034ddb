import { definePlugin } from '../../../core/plugin.js';
import { McpConfig } from './config.js';
import { addMcpProxyCommand } from './proxy/command.js';
import { McpReceiver } from './receiver.js';

export default definePlugin({
  kind: 'receiver',
  type: 'mcp',
  description:
    'Traces, metrics and logs of every request an MCP server handles, from in-process hooks or mcp-proxy.',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  config: McpConfig,
  commands: (program, cli) => addMcpProxyCommand(program, cli),
  create: {
    traces: (ctx, next) => new McpReceiver(ctx, 'traces', next),
    metrics: (ctx, next) => new McpReceiver(ctx, 'metrics', next),
    logs: (ctx, next) => new McpReceiver(ctx, 'logs', next),
  },
});
