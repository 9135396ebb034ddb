import { readFile } from 'node:fs/promises';
import { ENGINE_VERSION } from '../../../core/version.js';
import type { ScrapeConfig } from './config.js';
import type { Format } from './parse.js';

/** What Prometheus 2.x asks for: OpenMetrics first, then the text format. */
export const ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,' +
  'text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

export interface ScrapeResult {
  body: string;
  format: Format;
}

/** One HTTP GET of a target's metrics, bounded in time (`timeoutMs`) and in body size. */
export async function scrapeTarget(
  job: ScrapeConfig,
  address: string,
  timeoutMs: number,
): Promise<ScrapeResult> {
  const url = `${job.scheme}://${address}${job.metrics_path}`;
  const headers: Record<string, string> = {
    accept: ACCEPT,
    'user-agent': `tributary/${ENGINE_VERSION}`,
    'x-prometheus-scrape-timeout-seconds': String(timeoutMs / 1000),
  };
  const authorization = await authorizationHeader(job);
  if (authorization) headers.authorization = authorization;
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) }).catch((err: Error) => {
    throw new Error(failure(err, timeoutMs));
  });
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`server returned HTTP status ${res.status} ${res.statusText}`);
  }
  const body = await readLimited(res, job.body_size_limit, timeoutMs);
  const type = res.headers.get('content-type') ?? '';
  return { body, format: type.startsWith('application/openmetrics-text') ? 'openmetrics' : 'text' };
}

/** The body as text; past `limit` bytes (uncompressed; 0: none) the scrape fails, as Prometheus's does. */
async function readLimited(res: Response, limit: number, timeoutMs: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const reader = res.body?.getReader();
  if (!reader) return '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (limit > 0 && bytes > limit) {
        await reader.cancel();
        throw new Error(`body size limit exceeded: more than ${limit} bytes (body_size_limit)`);
      }
      chunks.push(value);
    }
  } catch (err) {
    throw new Error(failure(err as Error, timeoutMs));
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function authorizationHeader(job: ScrapeConfig): Promise<string | undefined> {
  const basic = job.basic_auth;
  if (basic) {
    const password = basic.password_file
      ? await secretFile(basic.password_file, 'basic_auth.password_file')
      : (basic.password ?? '');
    return `Basic ${Buffer.from(`${basic.username}:${password}`).toString('base64')}`;
  }
  const auth = job.authorization;
  if (auth) {
    const credentials = auth.credentials_file
      ? await secretFile(auth.credentials_file, 'authorization.credentials_file')
      : (auth.credentials ?? '');
    return `${auth.type} ${credentials}`;
  }
  return undefined;
}

/** A password or token file, read at every scrape (rotation), trimmed as Prometheus trims it. */
async function secretFile(path: string, key: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    throw new Error(
      `cannot read ${key} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/** Why a request failed, in a user's words: a timeout, or the cause fetch wraps. */
function failure(err: Error, timeoutMs: number): string {
  if (err.name === 'TimeoutError' || err.name === 'AbortError')
    return `scrape timed out after ${timeoutMs} ms (scrape_timeout)`;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${cause.code}: ${cause.message ?? err.message}` : err.message;
}
