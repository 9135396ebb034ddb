/** Reading a Prometheus text exposition in e2e tests. */
export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a text-format exposition (enough of the format for these two exporters). */
export function parse(text: string): Series[] {
  const series: Series[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key as string] = (value as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    series.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return series;
}

export const one = (all: Series[], name: string, labels: Record<string, string> = {}): number => {
  const found = all.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length !== 1)
    throw new Error(`expected one ${name}${JSON.stringify(labels)}, found ${found.length}`);
  return (found[0] as Series).value;
};

export async function get(port: number): Promise<Series[]> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`127.0.0.1:${port}/metrics answered ${res.status}`);
  return parse(await res.text());
}
