/** The longest line (or SSE event, or JSON body) a proxy parses; longer ones are relayed but only counted. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * Splits a byte stream into newline-delimited lines (MCP's stdio framing) while holding at most
 * `maxBytes` of one line. A longer line goes to `onSkipped` (once, with its full size) instead, as
 * does a last line that never got its newline. Empty lines are dropped: they carry nothing to count.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private held = 0;
  /** Bytes of the current line when it outgrew maxBytes (and is no longer held); 0 otherwise. */
  private skipped = 0;

  constructor(
    private readonly onLine: (line: Buffer) => void,
    private readonly onSkipped: (bytes: number) => void,
    private readonly maxBytes = MAX_MESSAGE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      this.take(chunk.subarray(start, nl));
      this.endLine();
      start = nl + 1;
    }
    if (start < chunk.length) this.take(chunk.subarray(start));
  }

  /** The stream ended: a line without its newline was never a complete message. */
  end(): void {
    const rest = this.skipped || this.held;
    this.parts = [];
    this.held = 0;
    this.skipped = 0;
    if (rest > 0) this.onSkipped(rest);
  }

  private take(part: Buffer): void {
    if (part.length === 0) return;
    if (this.skipped > 0) {
      this.skipped += part.length;
    } else if (this.held + part.length > this.maxBytes) {
      this.skipped = this.held + part.length;
      this.parts = [];
      this.held = 0;
    } else {
      this.parts.push(part);
      this.held += part.length;
    }
  }

  private endLine(): void {
    if (this.skipped > 0) {
      const skipped = this.skipped;
      this.skipped = 0;
      this.onSkipped(skipped);
      return;
    }
    if (this.held === 0) return;
    const line = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.held);
    this.parts = [];
    this.held = 0;
    this.onLine(line);
  }
}
