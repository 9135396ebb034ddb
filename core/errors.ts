/** Where a value came from: a config file position, a component id, or both. */
export interface Source {
  file?: string;
  line?: number;
  column?: number;
  /** The config path, e.g. `service.pipelines.metrics.exporters[1]`. */
  path?: string;
}

/**
 * An error a user can cause. It has a stable `TRB_...` code, one line saying what and where, and a
 * hint saying what would be valid. The CLI prints these without a stack trace.
 */
export class TributaryError extends Error {
  override name = 'TributaryError';
  constructor(
    readonly code: string,
    message: string,
    readonly source: Source = {},
    readonly hint?: string,
  ) {
    super(message);
  }

  /** `file:line:col: CODE path: message; hint` */
  format(): string {
    const { file, line, column, path } = this.source;
    const where = file ? `${file}${line ? `:${line}:${column ?? 1}` : ''}: ` : '';
    const at = path ? `${path}: ` : '';
    return `${where}${this.code} ${at}${this.message}${this.hint ? `; ${this.hint}` : ''}`;
  }
}

/** Several user errors found in one pass (a config is checked whole, not one mistake at a time). */
export class TributaryErrors extends Error {
  override name = 'TributaryErrors';
  constructor(readonly errors: TributaryError[]) {
    super(errors.map((e) => e.format()).join('\n'));
  }
}

/** What a log line says of an error: a user error with its code and hint, anything else by its message. */
export function describeError(err: unknown): string {
  if (err instanceof TributaryError) return err.format();
  return err instanceof Error ? err.message : String(err);
}

export function isUserError(err: unknown): err is TributaryError | TributaryErrors {
  return err instanceof TributaryError || err instanceof TributaryErrors;
}

/** The closest of `candidates` to `name`, when it is close enough to be a likely typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  const match = closest(name, list);
  if (match) return `did you mean "${match}"?`;
  return list.length ? `valid: ${list.map((c) => `"${c}"`).join(', ')}` : undefined;
}

/** Edits between two names, a swap of two neighbouring letters (`reciever`) counting as one. */
function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        current[j] = Math.min(current[j] ?? 0, (beforePrevious[j - 2] ?? 0) + 1);
    }
    [beforePrevious, previous] = [previous, current];
  }
  return previous[b.length] ?? 0;
}
