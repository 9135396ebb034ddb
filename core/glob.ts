import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';

const MAGIC = /[*?[]/;

/** A glob segment as a regular expression: `*`, `?` and `[...]` never cross a path separator. */
function segmentPattern(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) throw new Error(`syntax error in pattern: unclosed "[" in ${segment}`);
      const body = segment.slice(i + 1, end).replace(/^\^/, '!');
      re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
      i = end;
    } else if (c === '\\' && i + 1 < segment.length) re += `\\${segment[++i]}`;
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * The files a pattern names, as Go's filepath.Glob finds them (what Prometheus's rule_files use, and
 * the filelog receiver's include and exclude):
 * magic characters within one path segment, matches sorted. A pattern without magic is the path
 * itself when it exists.
 */
export function globFiles(pattern: string, baseDir: string): string[] {
  const absolute = isAbsolute(pattern) ? pattern : resolve(baseDir, pattern);
  if (!MAGIC.test(absolute)) return exists(absolute) ? [absolute] : [];
  const parts = absolute.split(sep);
  let dirs = [parts[0] === '' ? sep : (parts[0] as string)];
  for (const part of parts.slice(1)) {
    if (part === '') continue;
    const next: string[] = [];
    for (const dir of dirs) {
      if (!MAGIC.test(part)) {
        const path = join(dir, part);
        if (exists(path)) next.push(path);
        continue;
      }
      const re = segmentPattern(part);
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names.sort()) if (re.test(name)) next.push(join(dir, name));
    }
    dirs = next;
  }
  return dirs.filter((path) => isFile(path));
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
