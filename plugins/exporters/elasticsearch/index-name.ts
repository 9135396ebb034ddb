/*
 * Index names with date patterns, as Logstash and fluentd write them: `mcp-server-%{+yyyy.MM.dd}` names
 * one index per day of the document's own time, in UTC. A pattern holds the letters below and the
 * separators `.`, `-`, `_`; everything outside `%{+...}` is literal.
 */

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

/** The date letters a pattern may use, longest first so `yyyy` is not read as two `yy`. */
const LETTERS = ['yyyy', 'xxxx', 'yy', 'MM', 'dd', 'HH', 'ww'] as const;
type Letter = (typeof LETTERS)[number];
const PATTERN = /%\{([^}]*)\}/g;
const DATE_PATTERN = /^(?:yyyy|xxxx|yy|MM|dd|HH|ww|[._-])+$/;
/** Characters Elasticsearch does not allow in an index name. */
const FORBIDDEN = /[\\/*?"<>| ,#:]/;

/** A literal piece of the name, or a date letter rendered from the document's time. */
type Part = string | { letter: Letter };

const pad = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** The ISO 8601 week-based year and week of a UTC day (weeks start on Monday; week 1 holds a Thursday). */
function isoWeek(date: Date): [year: number, week: number] {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  day.setUTCDate(day.getUTCDate() + 4 - (day.getUTCDay() || 7)); // the Thursday of its week
  const year = day.getUTCFullYear();
  return [year, Math.ceil(((day.getTime() - Date.UTC(year, 0, 1)) / MS_PER_DAY + 1) / 7)];
}

function letter(part: Letter, date: Date): string {
  switch (part) {
    case 'yyyy':
      return `${date.getUTCFullYear()}`;
    case 'yy':
      return pad(date.getUTCFullYear() % 100);
    case 'MM':
      return pad(date.getUTCMonth() + 1);
    case 'dd':
      return pad(date.getUTCDate());
    case 'HH':
      return pad(date.getUTCHours());
    case 'xxxx':
      return `${isoWeek(date)[0]}`;
    case 'ww':
      return pad(isoWeek(date)[1]);
  }
}

/** An index name template: constant, or rendered from each document's time (cached per hour). */
export class IndexName {
  private readonly constant?: string;
  private cachedHour = Number.NaN;
  private cachedName = '';

  private constructor(private readonly parts: readonly Part[]) {
    if (parts.every((p) => typeof p === 'string')) this.constant = parts.join('');
  }

  /** The template parsed, or a message saying what is wrong with it. */
  static parse(template: string): IndexName | string {
    const parts: Part[] = [];
    let literals = '';
    const addLiteral = (text: string) => {
      if (!text) return;
      literals += text;
      const previous = parts.at(-1);
      if (typeof previous === 'string') parts[parts.length - 1] = previous + text;
      else parts.push(text);
    };
    let last = 0;
    for (const match of template.matchAll(PATTERN)) {
      addLiteral(template.slice(last, match.index));
      last = match.index + match[0].length;
      const inner = match[1] as string;
      if (!inner.startsWith('+') || !DATE_PATTERN.test(inner.slice(1))) {
        return `unsupported pattern "${match[0]}": use a date pattern such as %{+yyyy.MM.dd} (letters ${LETTERS.join(', ')}; separators . - _)`;
      }
      let rest = inner.slice(1);
      while (rest) {
        const found = LETTERS.find((l) => rest.startsWith(l));
        if (found) parts.push({ letter: found });
        else addLiteral(rest[0] as string);
        rest = rest.slice(found?.length ?? 1);
      }
    }
    const tail = template.slice(last);
    if (tail.includes('%{')) return 'a "%{" is not closed with "}"';
    addLiteral(tail);
    if (parts.length === 0) return 'the index name is empty';
    if (literals !== literals.toLowerCase()) return 'index names must be lower case';
    const bad = FORBIDDEN.exec(literals);
    if (bad) return `index names cannot contain ${JSON.stringify(bad[0])}`;
    const first = parts[0];
    if (typeof first === 'string' && /^[-_+]/.test(first)) return 'index names cannot start with -, _ or +';
    if (template === '.' || template === '..') return 'index names cannot be "." or ".."';
    return new IndexName(parts);
  }

  /** The index for a document of time `ms` (milliseconds since the epoch, UTC). */
  render(ms: number): string {
    if (this.constant !== undefined) return this.constant;
    const hour = Math.floor(ms / MS_PER_HOUR);
    if (hour !== this.cachedHour) {
      const date = new Date(hour * MS_PER_HOUR);
      let name = '';
      for (const part of this.parts) name += typeof part === 'string' ? part : letter(part.letter, date);
      this.cachedHour = hour;
      this.cachedName = name;
    }
    return this.cachedName;
  }
}
