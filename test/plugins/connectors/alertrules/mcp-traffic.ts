// MCP traffic as the mcp receiver measures it, for the alertrules connector's and processor's tests.
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { OperationStats } from '../../../../plugins/receivers/mcp/operations.js';

/** The mcp receiver's own aggregation of tool calls, with the resource its metric reader adds. */
export class McpTraffic {
  private readonly stats = new OperationStats();
  private readonly resource = resourceFromAttributes({
    'service.name': 'mcp-server',
    'service.instance.id': 'i-1',
  });

  calls(tool: string, ok: number, failed: number): void {
    for (let i = 0; i < ok; i++)
      this.stats.record({ side: 'server', method: 'tools/call', target: tool }, 0.05);
    for (let i = 0; i < failed; i++)
      this.stats.record({ side: 'server', method: 'tools/call', target: tool, error: 'tool_error' }, 0.05);
  }

  /** What the receiver's metric reader would hand the pipeline now. */
  async collect(): Promise<ResourceMetrics[]> {
    const { resourceMetrics } = await this.stats.collect();
    return [{ ...resourceMetrics, resource: this.resource }];
  }
}
