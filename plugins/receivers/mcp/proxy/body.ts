import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { parseJsonRpc } from './jsonrpc.js';
import { MAX_MESSAGE_BYTES } from './lines.js';

/** Reads a body (a copy of it) chunk by chunk as it is relayed. */
export interface BodyReader {
  push(chunk: Buffer): void;
  end(): void;
}

/** Collects a JSON body up to `maxBytes` and hands on the JSON-RPC message or batch in it at the end. */
export class JsonBody implements BodyReader {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly onMessage: (message: unknown, size: number) => void,
    private readonly onSkipped: (bytes: number) => void,
    private readonly maxBytes = MAX_MESSAGE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size <= this.maxBytes) this.parts.push(chunk);
    else this.parts = [];
  }

  end(): void {
    const { parts, size } = this;
    this.parts = [];
    if (size === 0) return;
    const message = size > this.maxBytes ? undefined : parseJsonRpc(Buffer.concat(parts, size));
    if (message === undefined) this.onSkipped(size);
    else this.onMessage(message, size);
  }
}

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** A body observer with a promise that settles when the reader has seen the end (or gave up). */
export interface BodyObserver extends BodyReader {
  done: Promise<void>;
}

/**
 * Feeds `reader` what a relayed body says, undoing its Content-Encoding on the copy first (servers
 * behind compression middleware gzip JSON and even SSE). An encoding it cannot undo is counted as
 * skipped bytes, not guessed at.
 */
export function observeBody(
  contentEncoding: string | undefined,
  reader: BodyReader,
  onSkipped: (bytes: number) => void,
): BodyObserver {
  const encoding = contentEncoding?.trim().toLowerCase() || 'identity';
  if (encoding === 'identity') {
    return { push: (c) => reader.push(c), end: () => reader.end(), done: Promise.resolve() };
  }
  const makeDecoder = DECODERS[encoding];
  if (!makeDecoder) {
    let skipped = 0;
    return {
      push: (c) => {
        skipped += c.length;
      },
      end: () => onSkipped(skipped),
      done: Promise.resolve(),
    };
  }
  const decoder = makeDecoder();
  let compressed = 0;
  let failed = false;
  const done = new Promise<void>((resolve) => {
    decoder.on('data', (chunk: Buffer) => reader.push(chunk));
    decoder.on('end', () => {
      reader.end();
      resolve();
    });
    decoder.once('error', () => {
      failed = true;
      onSkipped(compressed);
      resolve();
    });
  });
  return {
    push: (c) => {
      compressed += c.length;
      if (!failed) decoder.write(c);
    },
    end: () => {
      if (!failed) decoder.end();
    },
    done,
  };
}
