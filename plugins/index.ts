import type { PluginDefinition } from '../core/plugin.js';
import alertrulesConnector from './connectors/alertrules/index.js';
import errortracking from './connectors/errortracking/index.js';
import forward from './connectors/forward/index.js';
import percentiles from './connectors/percentiles/index.js';
import alertmanager from './exporters/alertmanager/index.js';
import elasticsearch from './exporters/elasticsearch/index.js';
import file from './exporters/file/index.js';
import jaeger from './exporters/jaeger/index.js';
import otlp from './exporters/otlp/index.js';
import prometheus from './exporters/prometheus/index.js';
import stdout from './exporters/stdout/index.js';
import admin from './extensions/admin/index.js';
import fileStorage from './extensions/file_storage/index.js';
import healthCheck from './extensions/health_check/index.js';
import alertrules from './processors/alertrules/index.js';
import attributes from './processors/attributes/index.js';
import batch from './processors/batch/index.js';
import filter from './processors/filter/index.js';
import memoryLimiter from './processors/memory_limiter/index.js';
import metricstransform from './processors/metricstransform/index.js';
import redaction from './processors/redaction/index.js';
import resource from './processors/resource/index.js';
import filelog from './receivers/filelog/index.js';
import hostmetrics from './receivers/hostmetrics/index.js';
import httpcheck from './receivers/httpcheck/index.js';
import mcp from './receivers/mcp/index.js';
import otlpReceiver from './receivers/otlp/index.js';
import prometheusReceiver from './receivers/prometheus/index.js';
import selftelemetry from './receivers/selftelemetry/index.js';

/** The built-in plugins, one line each. */
export const builtins: readonly PluginDefinition[] = [
  selftelemetry,
  mcp,
  httpcheck,
  hostmetrics,
  prometheusReceiver,
  otlpReceiver,
  filelog,
  batch,
  memoryLimiter,
  redaction,
  metricstransform,
  resource,
  attributes,
  filter,
  forward,
  errortracking,
  percentiles,
  alertrules,
  alertrulesConnector,
  stdout,
  file,
  elasticsearch,
  prometheus,
  otlp,
  jaeger,
  alertmanager,
  healthCheck,
  admin,
  fileStorage,
] as PluginDefinition[];
