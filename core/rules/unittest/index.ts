/**
 * Prometheus rule unit tests in promtool's format (`promtool test rules`), run on Tributary's own
 * PromQL engine and rule evaluator: what `tributary test-rules` runs.
 */
export { addTestRulesCommand, type TestRulesStreams } from './command.js';
export { runTestFile, type TestFileResult, type TestRunOptions } from './run-file.js';
