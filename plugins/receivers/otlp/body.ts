import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

/** Bytes held by requests in progress across the receiver, against a cap. */
export class InFlight {
  held = 0;
  constructor(readonly limit: number) {}

  /** Takes `bytes` if they fit under the cap. */
  take(bytes: number): boolean {
    if (this.held + bytes > this.limit) return false;
    this.held += bytes;
    return true;
  }

  release(bytes: number): void {
    this.held -= bytes;
  }
}

/** A request body, or why it cannot be taken. `held` is what it holds of the InFlight cap. */
export type Body =
  | { bytes: Buffer; held: number }
  | { refused: 'too_large' | 'throttled' | 'bad_gzip'; held: number; message: string };

/**
 * Reads a request body, undoing `Content-Encoding: gzip`. Past `maxSize` (before or after gunzip)
 * it is `too_large`; past the receiver's in-flight cap `throttled`. A refused body is read to its end
 * and thrown away, so the client sees the answer rather than a reset connection.
 */
export async function readBody(
  req: IncomingMessage,
  gzipped: boolean,
  maxSize: number,
  inFlight: InFlight,
): Promise<Body> {
  const chunks: Buffer[] = [];
  let received = 0;
  let held = 0;
  let refused: 'too_large' | 'throttled' | undefined;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (refused) continue;
      if (received > maxSize) refused = 'too_large';
      else if (!inFlight.take(chunk.length)) refused = 'throttled';
      else {
        held += chunk.length;
        chunks.push(chunk);
        continue;
      }
      chunks.length = 0;
      inFlight.release(held);
      held = 0;
    }
  } catch (err) {
    // The client went away mid-body: what it held is free again.
    inFlight.release(held);
    throw err;
  }
  if (refused === 'too_large') return { refused, held, message: tooLarge(maxSize) };
  if (refused) return { refused, held, message: 'too many requests in progress: try again later' };
  const raw = Buffer.concat(chunks);
  if (!gzipped) return { bytes: raw, held };
  let bytes: Buffer;
  try {
    // maxOutputLength stops a zip bomb while it inflates, not after.
    bytes = await gunzipAsync(raw, { maxOutputLength: maxSize });
  } catch (err) {
    const tooBig = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    if (tooBig) return { refused: 'too_large', held, message: `${tooLarge(maxSize)} once unzipped` };
    return { refused: 'bad_gzip', held, message: `the body is not valid gzip: ${(err as Error).message}` };
  }
  if (!inFlight.take(bytes.length)) {
    return { refused: 'throttled', held, message: 'too many requests in progress: try again later' };
  }
  return { bytes, held: held + bytes.length };
}

function tooLarge(maxSize: number): string {
  return `the request body is larger than max_request_body_size (${maxSize} bytes)`;
}
