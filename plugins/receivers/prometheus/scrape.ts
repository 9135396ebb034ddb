import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createGunzip } from 'node:zlib';
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

/**
 * One HTTP GET of a target's metrics, bounded in time (`timeoutMs`) and in body size, ended by `stop`. node:http, not
 * fetch: fetch refuses ports on the browsers' block list (6000, 6665-6669, 10080...), targets may not.
 */
export async function scrapeTarget(
  job: ScrapeConfig,
  address: string,
  timeoutMs: number,
  stop: AbortSignal,
): Promise<ScrapeResult> {
  const url = new URL(`${job.scheme}://${address}${job.metrics_path}`);
  const headers: Record<string, string> = {
    accept: ACCEPT,
    'accept-encoding': 'gzip',
    'user-agent': `tributary/${ENGINE_VERSION}`,
    'x-prometheus-scrape-timeout-seconds': String(timeoutMs / 1000),
  };
  const authorization = await authorizationHeader(job);
  if (authorization) headers.authorization = authorization;
  return get(url, headers, timeoutMs, job.body_size_limit, stop);
}

function get(
  url: URL,
  headers: Record<string, string>,
  timeoutMs: number,
  limit: number,
  stop: AbortSignal,
): Promise<ScrapeResult> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(url, { headers }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        fail(new Error(`server returned HTTP status ${res.statusCode} ${res.statusMessage ?? ''}`.trim()));
        return;
      }
      const body = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
      const chunks: Buffer[] = [];
      let bytes = 0;
      body.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        // Counted uncompressed, as Prometheus counts it: a small gzip cannot expand past the limit.
        if (limit > 0 && bytes > limit)
          fail(new Error(`body size limit exceeded: more than ${limit} bytes (body_size_limit)`));
        else chunks.push(chunk);
      });
      body.on('error', (err) => fail(err));
      res.on('error', (err) => fail(err));
      body.on('end', () => {
        clearTimeout(timer);
        stop.removeEventListener('abort', stopped);
        const type = res.headers['content-type'] ?? '';
        resolve({
          body: Buffer.concat(chunks).toString('utf8'),
          format: type.startsWith('application/openmetrics-text') ? 'openmetrics' : 'text',
        });
      });
    });
    const stopped = () => fail(new Error('the receiver shut down'));
    const fail = (err: Error) => {
      clearTimeout(timer);
      stop.removeEventListener('abort', stopped);
      req.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new Error(`scrape timed out after ${timeoutMs} ms (scrape_timeout)`)),
      timeoutMs,
    );
    stop.addEventListener('abort', stopped);
    req.on('error', (err) => fail(err));
    req.end();
  });
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
