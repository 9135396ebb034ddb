// Shared by the prometheus exporter's tests: free ports, scraping over real HTTP, promtool.
import { spawn } from 'node:child_process';
import { type Agent, request } from 'node:http';
import { gunzipSync } from 'node:zlib';

export { freePort } from '../../../../core/testing/index.js';

export interface Scraped {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body, gunzipped when it came compressed. */
  text: string;
  /** Bytes as they came over the wire. */
  raw: Buffer;
}

/** One HTTP request to the exporter, as a scraper makes it. */
export function scrape(
  port: number,
  options: { path?: string; method?: string; headers?: Record<string, string>; agent?: Agent } = {},
): Promise<Scraped> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/metrics',
        method: options.method ?? 'GET',
        headers: options.headers,
        // A fresh connection each time unless the test brings a keep-alive agent.
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const zipped = res.headers['content-encoding'] === 'gzip' && raw.length > 0;
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            raw,
            text: (zipped ? gunzipSync(raw) : raw).toString('utf8'),
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Polls `read` until `done` holds for its value, for at most `timeoutMs`; returns the last value. */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The lines of an exposition. */
export const lines = (text: string) => text.split('\n').filter((line) => line !== '');

/** What `promtool check metrics` prints for `exposition` on stdin (it lints text format 0.0.4), and its exit code. */
export function promtoolCheckMetrics(exposition: string): Promise<{ code: number; report: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, report: lines(output) }));
    child.stdin.end(exposition);
  });
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/s;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
const SUFFIXES: Record<string, { text: string[]; openMetrics: string[] }> = {
  counter: { text: [''], openMetrics: ['_total', '_created'] },
  gauge: { text: [''], openMetrics: [''] },
  histogram: { text: ['_bucket', '_sum', '_count'], openMetrics: ['_bucket', '_sum', '_count', '_created'] },
};

/**
 * Problems with an exposition by the rules of its format, found without our code: metadata before
 * samples and once per family, samples named for their family's type (`_total` on OpenMetrics
 * counters), labels well formed and not repeated, histogram buckets ascending to `+Inf` with counts
 * that never fall and end at `_count`, and for OpenMetrics `# UNIT` a suffix of the name and `# EOF` last.
 */
export function expositionProblems(exposition: string, format: 'text' | 'openmetrics'): string[] {
  const problems: string[] = [];
  const all = exposition.split('\n');
  if (all.pop() !== '') problems.push('the exposition does not end with a newline');
  if (format === 'openmetrics' && all.pop() !== '# EOF') problems.push('OpenMetrics must end with # EOF');
  const declared = new Set<string>();
  let family = '';
  let type = '';
  const buckets = new Map<string, { le: number; count: number }[]>();
  const counts = new Map<string, number>();
  for (const line of all) {
    const meta = /^# (HELP|TYPE|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$/s.exec(line);
    if (meta) {
      const [, kind, name = '', rest = ''] = meta;
      if (name !== family) {
        if (declared.has(name)) problems.push(`family ${name} is declared twice`);
        declared.add(name);
        family = name;
        type = '';
      }
      if (kind === 'TYPE') type = rest;
      if (kind === 'TYPE' && !(rest in SUFFIXES)) problems.push(`${name}: unexpected type ${rest}`);
      if (kind === 'UNIT' && (format === 'text' || !name.endsWith(`_${rest}`)))
        problems.push(`${name}: # UNIT ${rest} is not a suffix of the name (or not OpenMetrics)`);
      continue;
    }
    if (line.startsWith('#')) {
      problems.push(`unexpected comment: ${line}`);
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (!sample) {
      problems.push(`not a sample: ${line}`);
      continue;
    }
    const [, name = '', labelText = '', value = ''] = sample;
    const suffix = (SUFFIXES[type]?.[format === 'openmetrics' ? 'openMetrics' : 'text'] ?? []).find(
      (s) => name === `${family}${s}`,
    );
    if (suffix === undefined) problems.push(`${name} does not belong to family ${family} (${type})`);
    if (!/^([+-]Inf|NaN|-?\d+(\.\d+)?(e[+-]?\d+)?)$/.test(value)) problems.push(`${line}: bad value`);
    const labels = new Map<string, string>();
    LABEL.lastIndex = 0;
    for (let m = LABEL.exec(labelText); m; m = LABEL.exec(labelText)) {
      if (labels.has(m[1] as string)) problems.push(`${line}: label ${m[1]} repeated`);
      labels.set(m[1] as string, m[2] as string);
      if (m[3] === '') break;
    }
    if (labelText !== '' && LABEL.lastIndex !== labelText.length) problems.push(`${line}: bad labels`);
    if (type !== 'histogram') continue;
    const le = labels.get('le');
    labels.delete('le');
    const series = `${family}{${[...labels].map(([k, v]) => `${k}=${v}`).join(',')}}`;
    if (suffix === '_bucket') {
      if (le === undefined) problems.push(`${line}: bucket without le`);
      const list = buckets.get(series) ?? [];
      list.push({ le: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), count: Number(value) });
      buckets.set(series, list);
    }
    if (suffix === '_count') counts.set(series, Number(value));
  }
  for (const [series, list] of buckets) {
    if (list.at(-1)?.le !== Number.POSITIVE_INFINITY) problems.push(`${series}: no +Inf bucket last`);
    for (let i = 1; i < list.length; i++) {
      const [before, now] = [list[i - 1], list[i]] as [
        { le: number; count: number },
        { le: number; count: number },
      ];
      if (!(now.le > before.le)) problems.push(`${series}: le not ascending`);
      if (now.count < before.count) problems.push(`${series}: bucket counts fall`);
    }
    if (counts.get(series) !== list.at(-1)?.count)
      problems.push(`${series}: _count differs from the +Inf bucket`);
  }
  return problems;
}
