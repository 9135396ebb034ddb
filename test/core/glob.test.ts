import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { globFiles } from '../../core/glob.js';
import { ruleDir } from './rules/helpers.js';

describe("globs (rule_files, filelog include), as Go's filepath.Glob", () => {
  const dir = ruleDir({ 'a.yaml': '', 'b.yaml': '', 'c.yml': '', 'ab.yaml': '' });
  for (const team of ['team1', 'team2']) {
    mkdirSync(join(dir, team));
    writeFileSync(join(dir, team, 'x.yaml'), '');
  }
  const names = (pattern: string) => globFiles(pattern, dir).map((f) => f.slice(dir.length + 1));

  it.each([
    ['*.yaml', ['a.yaml', 'ab.yaml', 'b.yaml']],
    ['?.yaml', ['a.yaml', 'b.yaml']],
    ['[ab].y*ml', ['a.yaml', 'b.yaml']],
    ['[!a]*', ['b.yaml', 'c.yml']],
    ['c.yml', ['c.yml']],
    ['missing.yaml', []],
    ['*', ['a.yaml', 'ab.yaml', 'b.yaml', 'c.yml']],
  ])('%s', (pattern, expected) => {
    expect(names(pattern)).toEqual(expected);
  });

  it('matches within one path segment: * does not cross /, directories are not files', () => {
    expect(names('*/x.yaml')).toEqual(['team1/x.yaml', 'team2/x.yaml']);
    expect(names('team?/*.yaml')).toEqual(['team1/x.yaml', 'team2/x.yaml']);
    expect(names('team*')).toEqual([]);
  });

  it('refuses a pattern Go refuses', () => {
    expect(() => globFiles('[ab.yaml', dir)).toThrow('syntax error in pattern');
  });
});
