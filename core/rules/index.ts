/**
 * Prometheus rule files evaluated with Prometheus 3.x's semantics (rules/, template/, notifier/): what
 * the alertrules processor and connector run, and what `tributary test-rules` builds on.
 *
 *   loadRuleFiles(globsOrPaths, { baseDir })     -> Promise<RuleGroup[]>
 *   loadRuleFilesSync(globsOrPaths, { baseDir }) -> RuleGroup[]  (the same, for config validation)
 *       Globs as Go's filepath.Glob (`*`, `?`, `[...]` in one path segment), relative to baseDir, in
 *       order, each file once. Throws RulesLoadError: `problems`, each a RuleProblem with a code
 *       (TRB_RULES_FILES, TRB_RULES_PARSE, TRB_RULES_INVALID, TRB_RULES_TEMPLATE, TRB_PROMQL_PARSE,
 *       TRB_PROMQL_UNSUPPORTED), the file, the line and column (inside the expression where the
 *       expression is wrong) and a message.
 *
 *   new GroupEvaluator(group, { storage, intervalMs?, queryOffsetMs?, externalLabels?, externalUrl?,
 *                              resendDelayMs? })
 *     .evaluate(t)  -> GroupEvaluation {
 *         samples:        recording rule outputs, ALERTS and ALERTS_FOR_STATE at t (stale markers
 *                         for series that went away), all also appended to `storage` in rule order
 *                         so later rules see earlier ones, as Prometheus does;
 *         notifications:  AlertNotification[] to send at t (firing, then every resendDelayMs; resolved
 *                         ones for 15 minutes after resolving), external labels added;
 *         alerts:         every pending/firing alert of every alerting rule (Alert);
 *         rules:          RuleHealth per rule (a failed query or an exceeded `limit` fails that rule only).
 *       }
 *     .evaluateInTurns(t) -> Promise<GroupEvaluation>: the same, giving the event loop a turn between
 *                   rules (the runner's way); runs of one evaluator follow each other
 *     .intervalMs   the group's interval (its own, else the option)
 *   Rule evaluation time is t - query_offset; `t` should advance by intervalMs.
 *
 *   retentionMs(groups)         the longest range any rule reads (ranges, subquery ranges, offsets)
 *                               plus the 5m lookback: how long a window must keep samples.
 *   new SeriesWindow({ retentionMs, maxSeries, maxSamplesPerSeries })
 *                               a bounded RuleStorage: append(labels, t, v, delta?), sweep(now)
 *                               (staleness, eviction), select() (one shared answer per selector
 *                               while its series are unchanged), stats(); fed with metrics by
 *                               exporterSamples() (core/prometheus/samples.ts).
 *   AlertRulesRunner            groups on timers over a window (the processor's and connector's core);
 *                               evaluationsSettled() (runner.ts) for tests advancing fake timers.
 *   alertEventRecord(n, t, resource) an AlertNotification as the alert event log record
 *                               (ReadableLogRecord, attributes alert.*).
 */
export { type AlertEventAttributes, alertEventRecord } from './alert-events.js';
export { type GroupEvaluation, GroupEvaluator, type GroupEvaluatorOptions } from './group.js';
export { type LoadOptions, loadRuleFiles, loadRuleFilesSync, RulesLoadError } from './load.js';
export { retentionMs } from './retention.js';
export { AlertRulesRunner, type EvaluationListener } from './runner.js';
export type * from './types.js';
export { SeriesWindow, type WindowOptions, type WindowStats } from './window.js';
