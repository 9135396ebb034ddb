import { readFile } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { z } from 'zod';
import { TributaryError } from '../../errors.js';
import { parseDurationMs } from '../../promql/parse/literals.js';

/**
 * A rule unit test file in promtool's format (cmd/promtool/unittest.go): read strictly, as promtool
 * reads it (an unknown key is an error), durations in milliseconds.
 */

/** A Prometheus duration (`1m`, `1h30m`, `0`), in milliseconds. */
const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const text = String(value);
  const ms = text === '0' ? 0 : parseDurationMs(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a valid duration string: "${text}" (e.g. 30s, 5m, 1h30m)` });
    return z.NEVER;
  }
  return ms;
});

/** `start_timestamp`: RFC 3339 or Unix seconds, as promtool's parseTime. */
const timestamp = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const text = String(value);
  const ms = /^-?\d+(\.\d+)?$/.test(text) ? Math.round(Number(text) * 1000) : Date.parse(text);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: `cannot parse "${text}" as an RFC 3339 time or Unix seconds` });
    return z.NEVER;
  }
  return ms;
});

const stringMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

const ExpectedAlert = z.strictObject({
  exp_labels: stringMap.nullish().transform((m) => m ?? {}),
  exp_annotations: stringMap.nullish().transform((m) => m ?? {}),
});

const AlertTest = z.strictObject({
  eval_time: duration.default(0),
  alertname: z.string().default(''),
  exp_alerts: z
    .array(ExpectedAlert)
    .nullish()
    .transform((a) => a ?? []),
});

const ExpectedSample = z.strictObject({
  labels: z.string().default(''),
  value: z.number().default(0),
  histogram: z.string().optional(),
});

const PromqlTest = z.strictObject({
  expr: z.string(),
  eval_time: duration.default(0),
  exp_samples: z
    .array(ExpectedSample)
    .nullish()
    .transform((s) => s ?? []),
});

const InputSeries = z.strictObject({
  series: z.string(),
  values: z.union([z.string(), z.number()]).transform(String).default(''),
});

const TestGroup = z.strictObject({
  name: z.string().default(''),
  interval: duration.optional(),
  input_series: z
    .array(InputSeries)
    .nullish()
    .transform((s) => s ?? []),
  alert_rule_test: z
    .array(AlertTest)
    .nullish()
    .transform((a) => a ?? []),
  promql_expr_test: z
    .array(PromqlTest)
    .nullish()
    .transform((p) => p ?? []),
  external_labels: stringMap.nullish().transform((m) => m ?? {}),
  external_url: z.string().default(''),
  start_timestamp: timestamp.optional(),
});

export const TestFile = z.strictObject({
  rule_files: z
    .array(z.string())
    .nullish()
    .transform((f) => f ?? []),
  // Zero means promtool's default of one minute.
  evaluation_interval: duration.transform((ms) => ms || 60_000).default(60_000),
  group_eval_order: z
    .array(z.string())
    .nullish()
    .transform((g) => g ?? []),
  tests: z
    .array(TestGroup)
    .nullish()
    .transform((t) => t ?? []),
  fuzzy_compare: z.boolean().default(false),
});

export type TestFile = z.output<typeof TestFile>;
export type TestGroup = TestFile['tests'][number];
export type AlertTest = TestGroup['alert_rule_test'][number];
export type PromqlTest = TestGroup['promql_expr_test'][number];

/** Reads and checks a test file; a file that cannot be used is a TRB_RULES_TEST_INVALID at its line and column. */
export async function readTestFile(file: string): Promise<TestFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new TributaryError(
      'TRB_RULES_TEST_INVALID',
      `cannot read the test file: ${(err as Error).message}`,
      {
        file,
      },
    );
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const { line, col } = lines.linePos(yamlError.pos[0]);
    throw invalid(file, line, col, `not valid YAML: ${yamlError.message.split('\n')[0]}`);
  }
  const parsed = TestFile.safeParse(doc.toJS() ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] as string] : issue.path;
  const node = nodeAt(doc.contents, path as (string | number)[], issue.code === 'unrecognized_keys');
  const { line, col } = lines.linePos(node?.range?.[0] ?? 0);
  const where = path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .slice(1);
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown key "${issue.keys[0]}"`
      : issue.message.replace(/^Invalid input: /, '');
  throw invalid(file, line, col, `${where ? `${where}: ` : ''}${message}`);
}

function invalid(file: string, line: number, column: number, message: string): TributaryError {
  return new TributaryError(
    'TRB_RULES_TEST_INVALID',
    message,
    { file, line, column },
    "a test file has rule_files, evaluation_interval, group_eval_order, tests and fuzzy_compare, as promtool's",
  );
}

/** The YAML node at `path` (its key when `key`), or the nearest one above it. */
function nodeAt(root: unknown, path: readonly (string | number)[], key: boolean): Node | undefined {
  let node = root as Node | undefined;
  for (const [i, segment] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown })?.value === segment);
      if (!pair) return node;
      node = (key && i === path.length - 1 ? pair.key : pair.value) as Node;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) return node;
      node = item;
    } else return node;
  }
  return node;
}
