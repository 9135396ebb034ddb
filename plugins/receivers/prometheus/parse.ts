// The Prometheus text format 0.0.4 and OpenMetrics 1.0, as Prometheus's own parsers
// (model/textparse) read them: metadata lines, samples with labels, timestamps; exemplars are skipped.

export type Format = 'text' | 'openmetrics';

export type FamilyType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'gaugehistogram'
  | 'summary'
  | 'info'
  | 'stateset'
  | 'untyped'
  | 'unknown';

export interface Sample {
  name: string;
  /** Label pairs as written, in order. */
  labels: [name: string, value: string][];
  value: number;
  /** Milliseconds since the epoch, when the exposition gave one. */
  timestampMs?: number;
}

export interface ParsedFamily {
  name: string;
  type: FamilyType;
  help: string;
  /** OpenMetrics `# UNIT`; '' otherwise. */
  unit: string;
  samples: Sample[];
}

/** The exposition cannot be read; `line` is 1-based. */
export class ExpositionError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** The limit on samples was passed: the scrape fails as Prometheus's does. */
export class SampleLimitError extends Error {}

const TYPES = new Set<string>([
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
  'untyped',
  'unknown',
]);

/** Sample names a family owns besides its own name, by type and format. */
const SUFFIXES: Record<Format, Partial<Record<FamilyType, readonly string[]>>> = {
  text: { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count'] },
  openmetrics: {
    counter: ['_total', '_created'],
    histogram: ['_bucket', '_sum', '_count', '_created'],
    gaugehistogram: ['_bucket', '_gsum', '_gcount'],
    summary: ['_sum', '_count', '_created'],
    info: ['_info'],
  },
};

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
/** Sticky: matched at `lastIndex`, so no substring is made per label. */
const LABEL = /[a-zA-Z_][a-zA-Z0-9_]*/y;

/**
 * Reads an exposition into metric families in the order they appear. `sampleLimit` (0: none) stops
 * the parse with SampleLimitError as soon as it is passed, so an oversized scrape holds no more.
 */
export function parseExposition(body: string, format: Format, sampleLimit = 0): ParsedFamily[] {
  const families: ParsedFamily[] = [];
  const byName = new Map<string, ParsedFamily>();
  let current: ParsedFamily | undefined;
  let samples = 0;
  let eof = false;
  const lines = body.split('\n');
  // A final newline leaves one empty string behind.
  if (lines[lines.length - 1] === '') lines.pop();

  const family = (name: string): ParsedFamily => {
    let f = byName.get(name);
    if (!f) {
      f = { name, type: format === 'text' ? 'untyped' : 'unknown', help: '', unit: '', samples: [] };
      byName.set(name, f);
      families.push(f);
    }
    return f;
  };

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i] as string;
    if (eof) throw new ExpositionError('content after "# EOF"', lineNo);
    if (format === 'text') {
      if (line.trim() === '') continue;
    } else if (line === '') throw new ExpositionError('empty line (not allowed in OpenMetrics)', lineNo);

    if (line.startsWith('#')) {
      if (format === 'openmetrics' && line === '# EOF') {
        eof = true;
        continue;
      }
      const meta = metadata(line, format);
      if (!meta) {
        if (format === 'openmetrics') throw new ExpositionError(`invalid line "${clip(line)}"`, lineNo);
        continue; // a comment
      }
      const f = family(meta.name);
      current = f;
      if (meta.kind === 'TYPE') {
        if (!TYPES.has(meta.text)) throw new ExpositionError(`invalid metric type "${meta.text}"`, lineNo);
        f.type = meta.text as FamilyType;
      } else if (meta.kind === 'HELP') f.help = unescapeText(meta.text, format === 'openmetrics');
      else f.unit = meta.text;
      continue;
    }

    const sample = parseSample(line, format, lineNo);
    if (sampleLimit > 0 && ++samples > sampleLimit)
      throw new SampleLimitError(`more than ${sampleLimit} samples`);
    if (!current || !owns(current, sample.name, format))
      current = family(familyOf(sample.name, byName, format));
    current.samples.push(sample);
  }
  if (format === 'openmetrics' && !eof) throw new ExpositionError('missing "# EOF" at the end', lines.length);
  return families;
}

/** Whether a sample named `name` belongs to family `f`. */
function owns(f: ParsedFamily, name: string, format: Format): boolean {
  if (name === f.name) return f.type !== 'info' || format === 'text';
  if (!name.startsWith(f.name)) return false;
  const suffix = name.slice(f.name.length);
  return SUFFIXES[format][f.type]?.includes(suffix) ?? false;
}

const ALL_SUFFIXES = ['_total', '_created', '_bucket', '_sum', '_count', '_gsum', '_gcount', '_info'];

/** The family a sample outside the current one belongs to: one named by metadata, or a new one of its name. */
function familyOf(name: string, byName: Map<string, ParsedFamily>, format: Format): string {
  for (const suffix of ALL_SUFFIXES) {
    if (!name.endsWith(suffix)) continue;
    const f = byName.get(name.slice(0, -suffix.length));
    if (f && owns(f, name, format)) return f.name;
  }
  return name;
}

interface Metadata {
  kind: 'HELP' | 'TYPE' | 'UNIT';
  name: string;
  text: string;
}

/** `# HELP name text`, `# TYPE name type`, `# UNIT name unit` (OpenMetrics); undefined for a comment. */
function metadata(line: string, format: Format): Metadata | undefined {
  // The text format allows any blanks between the tokens; OpenMetrics exactly one space.
  const m =
    format === 'text'
      ? /^#[ \t]+(HELP|TYPE)[ \t]+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:[ \t]+(.*))?$/s.exec(line)
      : /^# (HELP|TYPE|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$/s.exec(line);
  if (!m) return undefined;
  const kind = m[1] as Metadata['kind'];
  const text = kind === 'HELP' ? (m[3] ?? '') : (m[3] ?? '').trim();
  return { kind, name: m[2] as string, text };
}

function parseSample(line: string, format: Format, lineNo: number): Sample {
  let pos = 0;
  const blanks = () => {
    while (line[pos] === ' ' || line[pos] === '\t') pos++;
  };
  const nameMatch = NAME.exec(line);
  if (!nameMatch) throw new ExpositionError(`expected a metric name, got "${clip(line)}"`, lineNo);
  const name = nameMatch[0];
  pos = name.length;
  const labels: [string, string][] = [];
  const afterName = pos;
  if (format === 'text') blanks();
  if (line[pos] !== '{') pos = afterName;
  else {
    pos++;
    for (;;) {
      if (format === 'text') blanks();
      if (line[pos] === '}') {
        pos++;
        break;
      }
      LABEL.lastIndex = pos;
      const label = LABEL.exec(line);
      if (!label) throw new ExpositionError(`expected a label name in "${clip(line)}"`, lineNo);
      pos += label[0].length;
      if (format === 'text') blanks();
      if (line[pos] !== '=') throw new ExpositionError(`expected "=" after label ${label[0]}`, lineNo);
      pos++;
      if (format === 'text') blanks();
      if (line[pos] !== '"')
        throw new ExpositionError(`expected a quoted value for label ${label[0]}`, lineNo);
      const end = closingQuote(line, pos + 1);
      if (end < 0) throw new ExpositionError(`unterminated value of label ${label[0]}`, lineNo);
      const value = unescapeText(line.slice(pos + 1, end), true);
      if (labels.some(([n]) => n === label[0]))
        throw new ExpositionError(`label ${label[0]} given twice`, lineNo);
      labels.push([label[0], value]);
      pos = end + 1;
      if (format === 'text') blanks();
      if (line[pos] === ',') pos++;
      else if (line[pos] !== '}')
        throw new ExpositionError(`expected "," or "}" after label ${label[0]}`, lineNo);
    }
  }
  const rest = line.slice(pos);
  // OpenMetrics: one space between tokens, then an optional exemplar after " # ".
  const exemplar = format === 'openmetrics' ? rest.indexOf(' # ') : -1;
  const fields =
    format === 'text'
      ? rest.trimEnd().split(/[ \t]+/)
      : (exemplar < 0 ? rest : rest.slice(0, exemplar)).split(' ');
  if (fields[0] !== '')
    throw new ExpositionError(`expected a blank before the value in "${clip(line)}"`, lineNo);
  if (fields.length < 2 || fields.length > 3)
    throw new ExpositionError(`expected a value and an optional timestamp in "${clip(line)}"`, lineNo);
  const value = parseNumber(fields[1] as string);
  if (value === undefined) throw new ExpositionError(`invalid value "${fields[1]}"`, lineNo);
  const sample: Sample = { name, labels, value };
  if (fields.length === 3) {
    const ts = parseNumber(fields[2] as string);
    if (ts === undefined || !Number.isFinite(ts))
      throw new ExpositionError(`invalid timestamp "${fields[2]}"`, lineNo);
    // Text: integer milliseconds; OpenMetrics: seconds, fractions allowed.
    if (format === 'text' && !Number.isInteger(ts))
      throw new ExpositionError(`invalid timestamp "${fields[2]}"`, lineNo);
    sample.timestampMs = format === 'text' ? ts : Math.round(ts * 1000);
  }
  return sample;
}

/** A float as Go's strconv.ParseFloat reads it in the exposition: NaN, ±Inf, decimal and exponent forms. */
export function parseNumber(text: string): number | undefined {
  if (/^[+-]?inf(inity)?$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** The index of the quote that ends a label value starting at `from`, skipping escaped ones; -1 if none. */
function closingQuote(line: string, from: number): number {
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') i++;
    else if (c === '"') return i;
  }
  return -1;
}

/** `\\`, `\n` (and `\"` where quotes are escaped) back to the characters; other escapes stay as written. */
function unescapeText(text: string, quotes: boolean): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(.)/g, (all, c: string) =>
    c === '\\' ? '\\' : c === 'n' ? '\n' : c === '"' && quotes ? '"' : all,
  );
}

const clip = (line: string) => (line.length > 80 ? `${line.slice(0, 77)}...` : line);
