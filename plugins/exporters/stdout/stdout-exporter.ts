import type { Writable } from 'node:stream';
import { type Encoding, encodeBatch } from '../../../core/encoding/index.js';
import { TributaryError } from '../../../core/errors.js';
import type { Sender } from '../../../core/exporterhelper/index.js';
import type { Batch, Signal } from '../../../core/signals.js';
import { StreamClosedError, StreamWriter } from './stream-writer.js';

/** Writers per stream, shared by the traces, metrics and logs exporters (and every stdout/<name>). */
const writers = new WeakMap<Writable, StreamWriter>();

function writerFor(stream: Writable, name: string): StreamWriter {
  let writer = writers.get(stream);
  if (!writer) {
    writer = new StreamWriter(stream, name);
    writers.set(stream, writer);
  }
  return writer;
}

/** Sends each batch as lines to stdout or stderr (or, in tests, any writable). */
export class StdoutSender<S extends Signal> implements Sender<S> {
  private readonly writer: StreamWriter;

  constructor(
    private readonly signal: S,
    private readonly encoding: Encoding,
    stream: Writable,
    streamName = 'stdout',
  ) {
    this.writer = writerFor(stream, streamName);
  }

  async send(batch: Batch<S>, abort: AbortSignal): Promise<void> {
    const bytes = encodeBatch(this.encoding, this.signal, batch);
    if (bytes.length === 0) return;
    try {
      await this.writer.write(bytes, abort);
    } catch (err) {
      if (err instanceof StreamClosedError) {
        const error = new TributaryError(
          'TRB_EXPORTER_STDOUT_WRITE',
          err.message,
          {},
          'the process reading this stream has gone away; restart it or use the file exporter',
        );
        error.cause = err.cause;
        throw error;
      }
      throw err;
    }
  }

  async shutdown(): Promise<void> {
    await this.writer.close();
  }
}
