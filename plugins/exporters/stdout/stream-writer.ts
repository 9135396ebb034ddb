import type { Writable } from 'node:stream';

/**
 * Writes whole buffers to a stream one after another, with back-pressure: a buffer is handed to the
 * stream only once it has drained, and send() resolves once the stream has accepted the buffer.
 * Each buffer goes in one write(), so lines of concurrent batches never interleave.
 */
export class StreamWriter {
  private tail: Promise<void> = Promise.resolve();
  private failure?: Error;
  private listening = false;
  private readonly onError = (err: Error): void => {
    this.failure ??= err;
  };

  constructor(
    private readonly stream: Writable,
    /** Names the stream in errors: `stdout`. */
    readonly name: string,
  ) {}

  /** Queues `bytes` behind earlier writes; rejects, writing nothing, when `signal` aborts first. */
  write(bytes: Buffer, signal: AbortSignal): Promise<void> {
    const turn = this.tail.then(() => this.writeNow(bytes, signal));
    this.tail = turn.catch(() => {});
    return turn;
  }

  /** Waits for queued writes and stops listening to the stream. The stream itself stays open. */
  async close(): Promise<void> {
    await this.tail;
    if (this.listening) this.stream.off('error', this.onError);
    this.listening = false;
  }

  private async writeNow(bytes: Buffer, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    // An unhandled 'error' (EPIPE when the reader went away) would end the process.
    if (!this.listening) {
      this.stream.on('error', this.onError);
      this.listening = true;
    }
    this.throwIfBroken();
    if (this.stream.writableNeedDrain) await drained(this.stream, signal, this.name);
    this.throwIfBroken();
    if (this.stream.write(bytes)) return;
    // Accepted: from here an abort (timeout) must not fail the send, or a retry would write it twice.
    try {
      await drained(this.stream, signal, this.name);
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  private throwIfBroken(): void {
    const failure = this.failure ?? this.stream.errored;
    if (failure) throw new StreamClosedError(this.name, failure);
    if (this.stream.destroyed || this.stream.writableEnded) throw new StreamClosedError(this.name);
  }
}

export class StreamClosedError extends Error {
  override name = 'StreamClosedError';
  constructor(stream: string, cause?: Error) {
    const why = cause ? `: ${(cause as NodeJS.ErrnoException).code ?? cause.message}` : '';
    super(`cannot write to ${stream}: the stream is closed${why}`, { cause });
  }
}

/** Resolves on 'drain'; rejects when the stream errors or closes first, or `signal` aborts. */
function drained(stream: Writable, signal: AbortSignal, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: unknown): void => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onDrain = (): void => settle();
    const onError = (err: Error): void => settle(new StreamClosedError(name, err));
    const onClose = (): void => settle(new StreamClosedError(name));
    const onAbort = (): void => settle(signal.reason);
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
