import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuleGroup, RuleProblem } from '../../../core/rules/index.js';
import { loadRuleFilesSync, RulesLoadError } from '../../../core/rules/index.js';

/** A temporary directory holding `files` (name -> text). */
export function ruleDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'trb-rules-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The groups of one rule file written with `text`. */
export function groupsOf(text: string): RuleGroup[] {
  return loadRuleFilesSync(['rules.yaml'], { baseDir: ruleDir({ 'rules.yaml': text }) });
}

/** The problems loading `text` finds (the test fails when it loads). */
export function problemsOf(text: string): RuleProblem[] {
  try {
    groupsOf(text);
  } catch (err) {
    if (err instanceof RulesLoadError) return [...err.problems];
    throw err;
  }
  throw new Error('the rule file loaded without problems');
}
