import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseAllDocuments,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import { globFiles } from '../glob.js';
import { PromqlParseError, parseExpr } from '../promql/index.js';
import { parseDuration } from './duration.js';
import { compileAlertTemplate, type Template, TemplateSyntaxError } from './template/index.js';
import type { AlertingRule, RecordingRule, Rule, RuleGroup, RulePosition, RuleProblem } from './types.js';
import { valuePosition } from './yaml-position.js';

export interface LoadOptions {
  /** Relative paths and globs are resolved from here (the config file's directory). */
  baseDir: string;
}

/** Rule files that cannot be used: every problem found, each located. */
export class RulesLoadError extends Error {
  override name = 'RulesLoadError';
  constructor(readonly problems: readonly RuleProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

/** `file:line:col: CODE message` (no position when the problem is the file as a whole). */
function formatProblem(p: RuleProblem): string {
  return `${p.file}${p.line ? `:${p.line}:${p.column}` : ''}: ${p.code} ${p.message}`;
}

/**
 * Reads the rule files `patterns` name (globs, relative to baseDir), in order and each once, and
 * checks them as Prometheus does. Throws RulesLoadError with every problem of every file.
 */
export function loadRuleFilesSync(patterns: readonly string[], options: LoadOptions): RuleGroup[] {
  const problems: RuleProblem[] = [];
  const files: string[] = [];
  for (const pattern of patterns) {
    let matched: string[];
    try {
      matched = globFiles(pattern, options.baseDir);
    } catch (err) {
      problems.push({
        code: 'TRB_RULES_FILES',
        file: pattern,
        line: 0,
        column: 0,
        message: (err as Error).message,
      });
      continue;
    }
    if (matched.length === 0)
      problems.push({
        code: 'TRB_RULES_FILES',
        file: pattern,
        line: 0,
        column: 0,
        message: `no rule file matches "${pattern}"${isAbsolute(pattern) ? '' : ` (relative to ${options.baseDir})`}`,
      });
    for (const file of matched) if (!files.includes(file)) files.push(file);
  }
  const groups: RuleGroup[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      problems.push({
        code: 'TRB_RULES_FILES',
        file,
        line: 0,
        column: 0,
        message: `cannot read the rule file (${code})`,
      });
      continue;
    }
    groups.push(...new RuleFileReader(file, text, problems).read());
  }
  if (problems.length) throw new RulesLoadError(problems);
  return groups;
}

export async function loadRuleFiles(patterns: readonly string[], options: LoadOptions): Promise<RuleGroup[]> {
  return loadRuleFilesSync(patterns, options);
}

const GROUP_KEYS = ['name', 'interval', 'query_offset', 'limit', 'labels', 'rules'];
const RULE_KEYS = ['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'];

/** One rule file's groups, Prometheus's rulefmt checks applied; problems are collected, not thrown. */
class RuleFileReader {
  private readonly lines = new LineCounter();
  private doc: Document | undefined;

  constructor(
    private readonly file: string,
    private readonly source: string,
    private readonly problems: RuleProblem[],
  ) {}

  read(): RuleGroup[] {
    const docs = parseAllDocuments(this.source, {
      lineCounter: this.lines,
      uniqueKeys: true,
      prettyErrors: false,
    });
    const doc = Array.isArray(docs) ? docs[0] : undefined;
    if (!doc) return [];
    this.doc = doc;
    const syntax = doc.errors[0];
    if (syntax) {
      this.problem('TRB_RULES_PARSE', syntax.pos[0], syntax.message.split('\n')[0] ?? syntax.message);
      return [];
    }
    const top = doc.contents;
    if (top === null || (isScalar(top) && top.value === null)) return [];
    if (!isMap(top)) {
      this.problem('TRB_RULES_PARSE', top, 'a rule file is a map with a "groups" list');
      return [];
    }
    this.unknownKeys(top, ['groups'], 'rule file');
    const list = this.child(top, 'groups');
    if (list === undefined || (isScalar(list) && list.value === null)) return [];
    if (!isSeq(list)) {
      this.problem('TRB_RULES_PARSE', list, '"groups" must be a list of groups');
      return [];
    }
    const names = new Set<string>();
    const groups: RuleGroup[] = [];
    for (const item of list.items) {
      const group = this.group(this.resolved(item as Node), names);
      if (group) groups.push(group);
    }
    return groups;
  }

  private group(node: Node, names: Set<string>): RuleGroup | undefined {
    if (!isMap(node))
      return this.problem('TRB_RULES_PARSE', node, 'a group is a map (name, interval, rules...)');
    this.unknownKeys(node, GROUP_KEYS, 'group');
    const nameNode = this.child(node, 'name');
    const name = this.text(nameNode) ?? '';
    if (name === '') this.problem('TRB_RULES_INVALID', nameNode ?? node, 'Groupname must not be empty');
    else if (names.has(name))
      this.problem(
        'TRB_RULES_INVALID',
        nameNode ?? node,
        `groupname: "${name}" is repeated in the same file`,
      );
    names.add(name);
    const intervalMs = this.duration(node, 'interval');
    const queryOffsetMs = this.duration(node, 'query_offset');
    const limit = this.integer(node, 'limit');
    const groupLabels = this.stringMap(node, 'labels', 'label');
    const rulesNode = this.child(node, 'rules');
    const rules: Rule[] = [];
    if (rulesNode !== undefined && !(isScalar(rulesNode) && rulesNode.value === null)) {
      if (!isSeq(rulesNode)) this.problem('TRB_RULES_PARSE', rulesNode, '"rules" must be a list of rules');
      else
        rulesNode.items.forEach((item, i) => {
          const rule = this.rule(this.resolved(item as Node), name, i + 1, groupLabels);
          if (rule) rules.push(rule);
        });
    }
    return {
      name,
      file: this.file,
      intervalMs: intervalMs || undefined,
      limit: limit ?? 0,
      queryOffsetMs,
      rules,
    };
  }

  private rule(node: Node, group: string, index: number, groupLabels: LabelNodes): Rule | undefined {
    if (!isMap(node))
      return this.problem('TRB_RULES_PARSE', node, `group "${group}", rule ${index}: a rule is a map`);
    this.unknownKeys(node, RULE_KEYS, 'rule');
    const recordNode = this.child(node, 'record');
    const alertNode = this.child(node, 'alert');
    const record = this.text(recordNode) ?? '';
    const alert = this.text(alertNode) ?? '';
    const where = `group "${group}", rule ${index}, "${alert || record}"`;
    const fail = (code: string, at: Node | number | undefined, message: string) => {
      this.problem(code, at ?? node, `${where}: ${message}`);
      return undefined;
    };
    if (record && alert)
      fail('TRB_RULES_INVALID', recordNode, "only one of 'record' and 'alert' must be set");
    if (!record && !alert) fail('TRB_RULES_INVALID', node, "one of 'record' or 'alert' must be set");
    const exprNode = this.child(node, 'expr');
    const exprText = this.text(exprNode) ?? '';
    let expr: Rule['expr'] | undefined;
    if (exprText.trim() === '') fail('TRB_RULES_INVALID', exprNode, "field 'expr' must be set in rule");
    else {
      const position = this.position(exprNode as Scalar, 0);
      try {
        expr = { text: exprText, expr: parseExpr(exprText), position };
      } catch (err) {
        if (!(err instanceof PromqlParseError)) throw err;
        // "Unexpected end of input" points past a block scalar's final newline: keep it on the last line.
        const at = this.position(exprNode as Scalar, Math.min(err.position.start, exprText.trimEnd().length));
        this.problems.push({
          code: err.code,
          ...at,
          message: `${where}: could not parse expression: ${err.detail}${err.hint ? `; ${err.hint}` : ''}`,
        });
      }
    }
    const forMs = this.duration(node, 'for') ?? 0;
    const keepFiringForMs = this.duration(node, 'keep_firing_for') ?? 0;
    const labels = new Map([...groupLabels, ...this.stringMap(node, 'labels', 'label')]);
    const annotations = this.stringMap(node, 'annotations', 'annotation');
    const position = this.position(node, 0);
    if (record) {
      if (annotations.size)
        fail('TRB_RULES_INVALID', recordNode, "invalid field 'annotations' in recording rule");
      if (forMs) fail('TRB_RULES_INVALID', recordNode, "invalid field 'for' in recording rule");
      if (keepFiringForMs)
        fail('TRB_RULES_INVALID', recordNode, "invalid field 'keep_firing_for' in recording rule");
      if (/[{}]/.test(record))
        fail(
          'TRB_RULES_INVALID',
          recordNode,
          `braces present in the recording rule name; should it be in expr?: ${record}`,
        );
    }
    if (!expr || (record && alert) || (!record && !alert)) return undefined;
    if (record) {
      const plain: Record<string, string> = {};
      for (const [k, v] of labels) plain[k] = v.value;
      return { kind: 'recording', name: record, expr, labels: plain, position } satisfies RecordingRule;
    }
    const templates = (entries: LabelNodes, what: string) => {
      const out = new Map<string, Template>();
      for (const [k, { value, node: at }] of entries) {
        try {
          out.set(k, compileAlertTemplate(value));
        } catch (err) {
          if (!(err instanceof TemplateSyntaxError)) throw err;
          this.problems.push({
            code: 'TRB_RULES_TEMPLATE',
            ...this.position(at, err.offset),
            message: `${where}: ${what} "${k}": template: ${err.message}`,
          });
        }
      }
      return out;
    };
    const rule: AlertingRule = {
      kind: 'alerting',
      name: alert,
      expr,
      forMs,
      keepFiringForMs,
      labels: templates(labels, 'label'),
      annotations: templates(annotations, 'annotation'),
      position,
    };
    return rule;
  }

  /** A map of names to scalar texts (labels, annotations), names checked as Prometheus 3 checks them. */
  private stringMap(node: YAMLMap, key: string, what: 'label' | 'annotation'): LabelNodes {
    const out: LabelNodes = new Map();
    const map = this.child(node, key);
    if (map === undefined || (isScalar(map) && map.value === null)) return out;
    if (!isMap(map)) {
      this.problem('TRB_RULES_PARSE', map, `"${key}" must be a map of names to texts`);
      return out;
    }
    for (const pair of map.items as Pair<Node, Node>[]) {
      const name = this.text(pair.key) ?? '';
      const value = pair.value && this.resolved(pair.value);
      if (name === '' || (what === 'label' && name === '__name__'))
        this.problem('TRB_RULES_INVALID', pair.key, `invalid ${what} name: ${name}`);
      if (!isScalar(value)) {
        this.problem('TRB_RULES_PARSE', value ?? pair.key, `the ${what} "${name}" must be a text`);
        continue;
      }
      out.set(name, { value: this.text(value) ?? '', node: value });
    }
    return out;
  }

  private duration(node: YAMLMap, key: string): number | undefined {
    const value = this.child(node, key);
    const text = this.text(value);
    if (text === undefined || text === '') return undefined;
    const ms = parseDuration(text);
    if (ms === undefined)
      this.problem(
        'TRB_RULES_INVALID',
        value,
        `${key}: not a valid duration string: "${text}" (a Prometheus duration such as 30s, 5m, 1h30m)`,
      );
    return ms;
  }

  private integer(node: YAMLMap, key: string): number | undefined {
    const value = this.child(node, key);
    const text = this.text(value);
    if (text === undefined || text === '') return undefined;
    if (!/^-?\d+$/.test(text)) {
      this.problem('TRB_RULES_INVALID', value, `${key}: "${text}" is not an integer`);
      return undefined;
    }
    return Number(text);
  }

  /** The value under `key` of a map, aliases resolved. */
  private child(map: YAMLMap, key: string): Node | undefined {
    const node = map.get(key, true) as Node | undefined;
    return node && this.resolved(node);
  }

  private resolved(node: Node): Node {
    return isAlias(node) ? (node.resolve(this.doc as Document) as Node) : node;
  }

  /** A scalar's text as Go's YAML decoder gives it to a string field (`1.0` stays `1.0`). */
  private text(node: Node | null | undefined): string | undefined {
    if (!node || !isScalar(node)) return undefined;
    if (node.value === null) return '';
    if (typeof node.value === 'string') return node.value;
    const [start = 0, end = start] = node.range ?? [];
    return this.source.slice(start, end).trim();
  }

  private unknownKeys(map: YAMLMap, known: readonly string[], what: string): void {
    for (const pair of map.items as Pair<Node, Node>[]) {
      const key = this.text(pair.key) ?? '';
      if (!known.includes(key))
        this.problem(
          'TRB_RULES_PARSE',
          pair.key,
          `field ${key} not found in a ${what}; valid: ${known.join(', ')}`,
        );
    }
  }

  /** Where `offset` of a scalar's value is in the file (the node's start for other nodes). */
  private position(node: Node, offset: number): RulePosition {
    if (isScalar(node)) return { file: this.file, ...valuePosition(this.source, node, offset, this.lines) };
    const { line, col } = this.lines.linePos(node.range?.[0] ?? 0);
    return { file: this.file, line, column: col };
  }

  private problem(code: string, at: Node | number | null | undefined, message: string): undefined {
    const where =
      typeof at === 'number'
        ? (({ line, col }) => ({ file: this.file, line, column: col }))(this.lines.linePos(at))
        : at
          ? this.position(at, 0)
          : { file: this.file, line: 0, column: 0 };
    this.problems.push({ code, ...where, message });
    return undefined;
  }
}

type LabelNodes = Map<string, { value: string; node: Scalar }>;
