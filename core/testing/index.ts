/** `tributary-telemetry/testing`: a harness for plugin authors and a conformance check for any plugin. */
export {
  type ConformanceOptions,
  checkConformance,
  type TestContextOptions,
  type TestHostOptions,
  testContext,
  testHost,
} from './conformance.js';
export {
  makeLogs,
  makeMetrics,
  makeSpans,
  type RecordOptions,
  recordLogs,
  recordMetrics,
  recordSpans,
} from './data.js';
export { pushReceiver, Recorded, type RunningPipeline, sinkExporter, startPipeline } from './harness.js';
export { freePort } from './ports.js';
