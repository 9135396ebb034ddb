const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/** A `$name`, `${name}` or `$1` reference at the start of `text`, as Go's regexp extract() reads it. */
function reference(text: string): { name: string; num: number; length: number } | undefined {
  const brace = text.startsWith('{');
  let i = brace ? 1 : 0;
  let name = '';
  for (const ch of text.slice(i)) {
    if (!NAME_CHAR.test(ch)) break;
    name += ch;
  }
  if (name === '') return undefined;
  i += name.length;
  if (brace) {
    if (text[i] !== '}') return undefined;
    i++;
  }
  const num = /^(0|[1-9]\d{0,7})$/.test(name) ? Number(name) : -1;
  return { name, num, length: i };
}

/**
 * The replacement of label_replace() as Go's Regexp.ExpandString: `$1`, `${1}`, `$name`, `${name}` and
 * `$$`. A name is as long as letters, digits and `_` go, so `$1x` names group "1x" (empty unless it
 * exists); a `$` that starts no reference is kept as text.
 */
export function expandReplacement(template: string, match: RegExpExecArray): string {
  let out = '';
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) return out + rest;
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const ref = reference(rest);
    if (!ref) {
      out += '$';
      continue;
    }
    rest = rest.slice(ref.length);
    out += (ref.num >= 0 ? match[ref.num] : match.groups?.[ref.name]) ?? '';
  }
}
