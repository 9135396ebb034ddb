import { StringDecoder } from 'node:string_decoder';
import { MAX_MESSAGE_BYTES } from './lines.js';

const LINE_END = /\r\n|\r|\n/g;

/**
 * Reads a Server-Sent Events stream incrementally, chunk by chunk as it is relayed, and hands each
 * event's data (its `data:` lines joined with `\n`) to `onData` when the blank line ending the event
 * arrives. Lines may end in `\r\n`, `\n` or `\r`, split anywhere across chunks. An event longer than
 * `maxBytes` goes to `onSkipped` (once, with its size in characters) instead. The other fields
 * (`event`, `id`, `retry`) and comments say nothing about MCP messages and are ignored.
 */
export class SseParser {
  private readonly decoder = new StringDecoder('utf8');
  /** The line so far, when a chunk ended inside one. */
  private partial = '';
  private data: string[] = [];
  private size = 0;
  /** The current event outgrew maxBytes: it is skipped up to its blank line, counting its size. */
  private oversized = false;
  private skipped = 0;
  /** In an oversized event a chunk ended inside a line: the rest of that line is skipped too. */
  private dropping = false;
  /** A chunk ended in `\r`: a `\n` opening the next one belongs to the same line end. */
  private afterCr = false;

  constructor(
    private readonly onData: (data: string) => void,
    private readonly onSkipped: (size: number) => void,
    private readonly maxBytes = MAX_MESSAGE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    this.text(this.decoder.write(chunk));
  }

  /** The stream ended; an event without its closing blank line is not dispatched (as browsers do). */
  end(): void {
    this.text(this.decoder.end());
    const rest = (this.oversized ? this.skipped : this.size) + this.partial.length;
    if (this.oversized || rest > 0) this.onSkipped(rest);
    this.partial = '';
    this.dropping = false;
    this.resetEvent();
  }

  private text(text: string): void {
    if (text === '') return;
    let start = this.afterCr && text.startsWith('\n') ? 1 : 0;
    this.afterCr = false;
    LINE_END.lastIndex = start;
    for (let m = LINE_END.exec(text); m; m = LINE_END.exec(text)) {
      const line = this.partial + text.slice(start, m.index);
      this.partial = '';
      start = m.index + m[0].length;
      if (m[0] === '\r' && start === text.length) this.afterCr = true;
      if (this.dropping) {
        this.dropping = false;
        this.skipped += line.length + 1;
      } else this.line(line);
    }
    const rest = text.slice(start);
    if (rest === '') return;
    if (!this.oversized && this.size + this.partial.length + rest.length > this.maxBytes) {
      this.overflow(this.partial.length);
      this.partial = '';
    }
    if (this.oversized) {
      this.skipped += rest.length;
      this.dropping = true;
    } else this.partial += rest;
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (this.oversized) {
      this.skipped += line.length + 1;
      return;
    }
    if (!line.startsWith('data')) return;
    const colon = line.indexOf(':');
    if ((colon === -1 ? line : line.slice(0, colon)) !== 'data') return;
    const value = colon === -1 ? '' : line.slice(line.charCodeAt(colon + 1) === 0x20 ? colon + 2 : colon + 1);
    if (this.size + value.length > this.maxBytes) this.overflow(line.length + 1);
    else {
      this.data.push(value);
      this.size += value.length + 1;
    }
  }

  private dispatch(): void {
    const { data, oversized, skipped } = this;
    this.resetEvent();
    if (oversized) this.onSkipped(skipped);
    else if (data.length > 0) this.onData(data.join('\n'));
  }

  /** The current event is too long: forget what it held, count it, and skip the rest of it. */
  private overflow(length: number): void {
    this.oversized = true;
    this.skipped = this.size + length;
    this.data = [];
    this.size = 0;
  }

  private resetEvent(): void {
    this.data = [];
    this.size = 0;
    this.oversized = false;
    this.skipped = 0;
  }
}
