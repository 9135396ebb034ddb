/** `tributary/testing`: a harness for plugin authors and a conformance check for any plugin. */
export { type ConformanceOptions, checkConformance, testContext, testHost } from './conformance.js';
export { makeLogs, makeMetrics, makeSpans } from './data.js';
export { pushReceiver, Recorded, type RunningPipeline, sinkExporter, startPipeline } from './harness.js';
