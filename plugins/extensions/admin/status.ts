import type { Attributes } from '@opentelemetry/api';
import { type DataPoint, DataPointType, type Histogram } from '@opentelemetry/sdk-metrics';
import type { AdminPages } from '../../../core/admin-pages.js';
import type { StatusName } from '../../../core/component.js';
import type { GraphNode } from '../../../core/graph/build.js';
import type { EngineState, EngineStatus } from '../../../core/status.js';
import { layOut } from './layout.js';

/** The counts the page shows, read from the engine's own metrics by the end of their names. */
const COUNTS = {
  accepted: '_accepted_items',
  sent: '_sent_items',
  refused: '_refused_items',
  failed: '_send_failed_items',
  dropped: '_dropped_items',
  queued: '_queued_items',
  queue_size: '_queue_size',
  queue_capacity: '_queue_capacity',
} as const;
export type Counts = Partial<Record<keyof typeof COUNTS, number>>;
/** What every receiver and exporter counts (an SDK counter has no point until it is first added to). */
const ZERO: Partial<Record<GraphNode['kind'], Counts>> = {
  receiver: { accepted: 0, refused: 0 },
  exporter: { sent: 0, failed: 0, refused: 0, dropped: 0 },
};

/** One node of the graph: a component for one signal (a processor for one pipeline). */
export interface NodeStatus {
  key: string;
  kind: GraphNode['kind'];
  id: string;
  signal: string;
  to?: string;
  pipeline?: string;
  status: StatusName | 'unknown';
  error?: string;
  counts: Counts;
  /** Every self-metric of this node by name (a histogram by its sum and count). */
  metrics: Record<string, number>;
  /** The counts that matter for its kind, in one line, as the graph shows them. */
  summary: string;
}

export interface AdminStatus {
  engine: { state: EngineState; version: string; started_at: string; uptime_seconds: number };
  components: { id: string; kind: string; status: StatusName; since: string; error?: string }[];
  nodes: NodeStatus[];
  edges: { from: string; to: string }[];
  pages: { path: string; title: string; url: string }[];
}

/** The engine as the page shows it, now: no config values. */
export async function readStatus(status: EngineStatus, pages: AdminPages): Promise<AdminStatus> {
  const layout = layOut(status.graph);
  // The engine masks the config's secrets in status errors; config values are never shown.
  const message = (err?: Error) => (err ? { error: err.message } : {});
  const points = await selfPoints(status);
  const now = Date.now();
  return {
    engine: {
      state: status.state(),
      version: status.version,
      started_at: status.startedAt.toISOString(),
      uptime_seconds: Math.round((now - status.startedAt.getTime()) / 1000),
    },
    components: status.list().map((c) => ({
      id: c.id,
      kind: c.kind,
      status: c.status,
      since: c.time.toISOString(),
      ...message(c.error),
    })),
    nodes: layout.placed.map(({ node }) => {
      const view = status.get(node.kind, node.id);
      const metrics = metricsOf(node, points);
      const counts = { ...ZERO[node.kind], ...countsOf(metrics) };
      return {
        key: node.key,
        kind: node.kind,
        id: node.id,
        signal: node.signal,
        ...(node.to ? { to: node.to } : {}),
        ...(node.pipeline ? { pipeline: node.pipeline } : {}),
        status: view?.status ?? 'unknown',
        ...message(view?.error),
        counts,
        metrics,
        summary: summary(node.kind, counts),
      };
    }),
    edges: layout.edges.map(([from, to]) => ({ from: from.key, to: to.key })),
    pages: pages.list().map((p) => ({ path: p.path, title: p.title, url: `/pages/${p.path}` })),
  };
}

interface Point {
  name: string;
  attributes: Attributes;
  value: number;
}

/** The engine's own metrics as flat points; a histogram gives its sum and count. */
async function selfPoints(status: EngineStatus): Promise<Point[]> {
  const points: Point[] = [];
  for (const scope of (await status.selfMetrics()).scopeMetrics)
    for (const metric of scope.metrics) {
      const name = metric.descriptor.name;
      for (const point of metric.dataPoints as DataPoint<number | Histogram>[]) {
        const { attributes, value } = point;
        if (metric.dataPointType !== DataPointType.HISTOGRAM)
          points.push({ name, attributes, value: value as number });
        else {
          const h = value as Histogram;
          points.push({ name: `${name}_sum`, attributes, value: h.sum ?? 0 });
          points.push({ name: `${name}_count`, attributes, value: h.count });
        }
      }
    }
  return points;
}

/** The engine's metrics named for a kind of component (`tributary_exporter_...`), and that kind. */
const KIND_PREFIX = /^tributary_(receiver|processor|exporter|connector)_/;

/**
 * The points of one node: its component id and signal, and its pipeline when it has one. A receiver
 * and an exporter may share an id (`otlp`): a point named for another kind is not this node's.
 */
function metricsOf(node: GraphNode, points: Point[]): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const { name, attributes: a, value } of points)
    if (
      a.component === node.id &&
      a.signal === node.signal &&
      (!node.pipeline || a.pipeline === node.pipeline) &&
      (KIND_PREFIX.exec(name)?.[1] ?? node.kind) === node.kind
    )
      metrics[name] = (metrics[name] ?? 0) + value;
  return metrics;
}

function countsOf(metrics: Record<string, number>): Counts {
  const counts: Counts = {};
  for (const [field, suffix] of Object.entries(COUNTS) as [keyof Counts, string][])
    for (const [name, value] of Object.entries(metrics))
      if (name.endsWith(suffix)) counts[field] = (counts[field] ?? 0) + value;
  return counts;
}

/** A count as the page prints it: grouped digits, a dash when the component does not count it. */
export const formatCount = (n: number | undefined) => (n === undefined ? '–' : n.toLocaleString('en-US'));

/** What the graph shows of a node's counts: what it took or sent, what it could not send, its queue. */
export function summary(kind: GraphNode['kind'], c: Counts): string {
  const f = formatCount;
  if (kind === 'receiver') return `accepted ${f(c.accepted)} · refused ${f(c.refused)}`;
  const notSent = (c.failed ?? 0) + (c.refused ?? 0) + (c.dropped ?? 0);
  const parts =
    kind === 'exporter'
      ? [
          `sent ${f(c.sent)}`,
          notSent > 0 && `not sent ${f(notSent)}`,
          c.queue_capacity !== undefined && `queue ${f(c.queue_size)}/${f(c.queue_capacity)}`,
        ]
      : [
          c.refused !== undefined && `refused ${f(c.refused)}`,
          c.failed !== undefined && `failed ${f(c.failed)}`,
        ];
  return parts.filter(Boolean).join(' · ');
}
