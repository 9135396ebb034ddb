import { type Attributes, type HrTime, ValueType } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import {
  AggregationTemporality,
  type CollectionResult,
  type DataPoint,
  DataPointType,
  type Histogram,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { ATTR, DURATION_BUCKETS } from './semconv.js';

/** The OpenTelemetry SDK's default cardinality limit per metric. */
const CARDINALITY_LIMIT = 2000;
const OTHER = '_OTHER';

/** One combination of what an operation metric is broken down by. */
export interface Operation {
  side: 'server' | 'client';
  method: string;
  target?: string;
  /** `gen_ai.tool.name` or `gen_ai.prompt.name`. */
  targetKey?: string;
  error?: string;
  /** The JSON-RPC error code of the response (`rpc.response.status_code`), failure or not. */
  statusCode?: string;
  transport?: string;
  /** `network.protocol.name`: `http` over Streamable HTTP. */
  protocol?: string;
  version?: string;
  /** A client's server (`server.address`, `server.port`). */
  serverAddress?: string;
  serverPort?: number;
}

interface Series extends Operation {
  count: number;
  sum: number;
  min: number;
  max: number;
  buckets: number[];
}

/**
 * Request durations, aggregated here rather than through four SDK instruments a request: recording is
 * one map lookup and a bucket search, and the SDK's attribute hashing happens per series at
 * collection, not per request. Emits the semantic conventions' operation histograms and the monitoring
 * guide's `mcp_requests_total`, `mcp_request_duration_seconds` and `mcp_tool_executions_total`, all
 * cumulative, as a MetricProducer the receiver's metric reader collects with the SDK's own metrics.
 */
export class OperationStats implements MetricProducer {
  private readonly series = new Map<string, Series>();
  private readonly start: HrTime = millisToHrTime(Date.now());
  /** The series of the last request: consecutive requests of one kind skip building the key. */
  private last?: Series;

  /** `op` is read, not kept: callers may reuse one object. */
  record(op: Operation, seconds: number): void {
    const s = this.last && sameOperation(this.last, op) ? this.last : this.seriesOf(op);
    this.last = s;
    s.count++;
    s.sum += seconds;
    if (seconds < s.min) s.min = seconds;
    if (seconds > s.max) s.max = seconds;
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > (DURATION_BUCKETS[i] as number)) i++;
    (s.buckets[i] as number)++;
  }

  private seriesOf(op: Operation): Series {
    let key = `${op.side}\u0000${op.method}\u0000${op.target ?? ''}\u0000${op.error ?? ''}\u0000${op.statusCode ?? ''}\u0000${op.transport ?? ''}\u0000${op.protocol ?? ''}\u0000${op.version ?? ''}\u0000${op.serverAddress ?? ''}\u0000${op.serverPort ?? ''}`;
    let s = this.series.get(key);
    if (!s) {
      // Clients choose method and tool names: past the SDK's default cardinality limit, new
      // combinations share one series per side, as the semantic conventions' `_OTHER` method.
      if (this.series.size >= CARDINALITY_LIMIT) {
        key = `${op.side}\u0000${OTHER}`;
        op = { side: op.side, method: OTHER, transport: op.transport };
        s = this.series.get(key);
      }
      if (!s) {
        s = {
          ...op,
          count: 0,
          sum: 0,
          min: Number.POSITIVE_INFINITY,
          max: Number.NEGATIVE_INFINITY,
          buckets: new Array(DURATION_BUCKETS.length + 1).fill(0),
        };
        this.series.set(key, s);
      }
    }
    return s;
  }

  async collect(): Promise<CollectionResult> {
    const end = millisToHrTime(Date.now());
    const point = <T>(attributes: Attributes, value: T): DataPoint<T> => ({
      startTime: this.start,
      endTime: end,
      attributes,
      value,
    });
    const all = [...this.series.values()];
    const server = all.filter((s) => s.side === 'server');

    const semconv = (side: Series['side'], name: string, description: string): MetricData | undefined => {
      const points = all
        .filter((s) => s.side === side)
        .map((s) => point(semconvAttributes(s), histogram([s])));
      return points.length ? histogramMetric(name, description, points) : undefined;
    };
    const requests = group(server, (s) => `${s.method}\u0000${s.target ?? ''}`);
    const byMethod = group(server, (s) => s.method);
    const tools = group(
      server.filter((s) => s.method === 'tools/call' && s.target),
      (s) => `${s.target}\u0000${guideStatus(s)}`,
    );
    const metrics = [
      semconv('server', 'mcp.server.operation.duration', 'Duration of MCP requests handled by the server.'),
      semconv('client', 'mcp.client.operation.duration', 'Duration of MCP requests sent by the client.'),
      requests.length
        ? counter(
            'mcp_requests_total',
            'Total requests',
            requests.map((g) => point({ method: g[0].method, endpoint: g[0].target ?? '' }, total(g))),
          )
        : undefined,
      byMethod.length
        ? histogramMetric(
            'mcp_request_duration_seconds',
            'Request duration',
            byMethod.map((g) => point({ method: g[0].method }, histogram(g))),
          )
        : undefined,
      tools.length
        ? counter(
            'mcp_tool_executions_total',
            'Tool executions',
            tools.map((g) => point({ tool: g[0].target ?? '', status: guideStatus(g[0]) }, total(g))),
          )
        : undefined,
    ].filter((m): m is MetricData => m !== undefined);
    return {
      resourceMetrics: {
        resource: undefined as never,
        scopeMetrics: metrics.length ? [{ scope: { name: 'tributary-mcp' }, metrics }] : [],
      },
      errors: [],
    };
  }
}

const sameOperation = (a: Operation, b: Operation) =>
  a.method === b.method &&
  a.target === b.target &&
  a.error === b.error &&
  a.statusCode === b.statusCode &&
  a.side === b.side &&
  a.transport === b.transport &&
  a.protocol === b.protocol &&
  a.version === b.version &&
  a.serverAddress === b.serverAddress &&
  a.serverPort === b.serverPort &&
  a.targetKey === b.targetKey;

function semconvAttributes(s: Series): Attributes {
  const attributes: Attributes = { [ATTR.method]: s.method };
  if (s.target && s.targetKey) attributes[s.targetKey] = s.target;
  if (s.method === 'tools/call') attributes[ATTR.operationName] = 'execute_tool';
  if (s.error) attributes[ATTR.errorType] = s.error;
  if (s.statusCode) attributes[ATTR.statusCode] = s.statusCode;
  if (s.transport) attributes[ATTR.networkTransport] = s.transport;
  if (s.protocol) attributes[ATTR.networkProtocol] = s.protocol;
  if (s.version) attributes[ATTR.protocolVersion] = s.version;
  if (s.serverAddress) attributes[ATTR.serverAddress] = s.serverAddress;
  if (s.serverPort) attributes[ATTR.serverPort] = s.serverPort;
  return attributes;
}

/** The guide counts a request answered with an error as failed, whoever's mistake it was. */
const guideStatus = (s: Operation) => (s.error || s.statusCode ? 'error' : 'success');

/** Series grouped by a key, each group non-empty. */
function group(series: Series[], keyOf: (s: Series) => string): [Series, ...Series[]][] {
  const groups = new Map<string, [Series, ...Series[]]>();
  for (const s of series) {
    const key = keyOf(s);
    const g = groups.get(key);
    if (g) g.push(s);
    else groups.set(key, [s]);
  }
  return [...groups.values()];
}

const total = (series: Series[]) => series.reduce((n, s) => n + s.count, 0);

function histogram(series: Series[]): Histogram {
  const counts = new Array(DURATION_BUCKETS.length + 1).fill(0);
  for (const s of series) for (const [i, c] of s.buckets.entries()) counts[i] += c;
  return {
    buckets: { boundaries: DURATION_BUCKETS, counts },
    sum: series.reduce((n, s) => n + s.sum, 0),
    count: total(series),
    min: Math.min(...series.map((s) => s.min)),
    max: Math.max(...series.map((s) => s.max)),
  };
}

function histogramMetric(name: string, description: string, dataPoints: DataPoint<Histogram>[]): MetricData {
  return {
    descriptor: { name, description, unit: 's', valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints,
  };
}

function counter(name: string, description: string, dataPoints: DataPoint<number>[]): MetricData {
  return {
    descriptor: { name, description, unit: '', valueType: ValueType.INT },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: true,
    dataPoints,
  };
}
