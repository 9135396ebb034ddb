import type { Format } from './serialize.js';

/** The q value of each media range or coding in an Accept / Accept-Encoding header, highest kept. */
function qualities(header: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';');
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=');
      if (key?.trim().toLowerCase() === 'q') q = Number(value?.trim());
    }
    const key = name.trim().toLowerCase();
    if (key !== '' && !Number.isNaN(q)) found.set(key, Math.max(found.get(key) ?? 0, q));
  }
  return found;
}

/**
 * OpenMetrics when the scraper accepts it at least as much as text/plain (Prometheus sends
 * `application/openmetrics-text;version=1.0.0,...,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`);
 * text format 0.0.4 otherwise, and always when OpenMetrics is turned off.
 */
export function negotiateFormat(accept: string | undefined, openMetricsEnabled: boolean): Format {
  if (!openMetricsEnabled || !accept) return 'text';
  const q = qualities(accept);
  const openMetrics = q.get('application/openmetrics-text') ?? 0;
  return openMetrics > 0 && openMetrics >= (q.get('text/plain') ?? 0) ? 'openmetrics' : 'text';
}

/** True when Accept-Encoding allows gzip (explicitly, or through `*`). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  const q = qualities(acceptEncoding);
  return (q.get('gzip') ?? q.get('*') ?? 0) > 0;
}
