/** The engine's public API; it knows no plugin by name. */
export { type AdminPage, type AdminPageContent, AdminPages, escapeHtml } from './admin-pages.js';
export type {
  Component,
  ComponentKind,
  ComponentStatus,
  Connector,
  Consumer,
  Exporter,
  Extension,
  Host,
  Processor,
  Receiver,
  StatusName,
} from './component.js';
export { PermanentError, RetryableError } from './component.js';
export { configFromObject, LoadedConfig, loadConfigFiles } from './config/load.js';
export { duration, endpoint, size } from './config/units.js';
export { Engine, type EngineOptions, type EngineState, type ShutdownOptions } from './engine.js';
export { isUserError, type Source, TributaryError, TributaryErrors } from './errors.js';
export {
  createExporter,
  type ExporterSettings,
  exporterConfig,
  type Sender,
  type StorageClient,
  type StorageExtension,
} from './exporterhelper/index.js';
export {
  type Capabilities,
  type CliContext,
  type ConnectorRoute,
  type CreateContext,
  definePlugin,
  type PluginDefinition,
  pluginSignals,
  type Stability,
} from './plugin.js';
export { Registry } from './registry.js';
// What a receiver that measures through the OpenTelemetry SDK hands its data to the pipeline with.
export { Handoff } from './sdk/handoff.js';
export { MetricSources } from './sdk/metric-sources.js';
export { PipelineLogProcessor, PipelineSpanProcessor } from './sdk/processors.js';
export { OnDemandMetricReader, PipelineMetricReader } from './sdk/readers.js';
export { type Batch, cloneBatch, countItems, SIGNALS, type Signal } from './signals.js';
export { type ComponentView, EngineStatus } from './status.js';
export { ENGINE_VERSION } from './version.js';
