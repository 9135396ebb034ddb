// Bytes of a file to records: lines (\n, a \r before it dropped), joined into multi-line records when
// configured, each with the offset just past it, so a checkpoint never splits a record.

export interface RecordText {
  text: string;
  /** The file offset just past the record's last newline. */
  end: number;
  /** It was longer than max_log_size and cut to it. */
  truncated: boolean;
}

export interface Multiline {
  line_start_pattern?: string | undefined;
  line_end_pattern?: string | undefined;
}

export interface Split {
  records: RecordText[];
  /**
   * Bytes from the last record's end that form no whole record yet: a line without its newline, or
   * lines a multi-line record may still continue. Read again at the next poll.
   */
  pending: number;
  /** A line longer than max_log_size had no newline in the bytes: skip to the next newline. */
  skipping: boolean;
}

/** How records are cut from the bytes read at `start` (`skipping`: still inside a cut line). */
export function recordsSplitter(maxLogSize: number, multiline: Multiline | undefined) {
  const startRe = multiline?.line_start_pattern ? new RegExp(multiline.line_start_pattern) : undefined;
  const endRe = multiline?.line_end_pattern ? new RegExp(multiline.line_end_pattern) : undefined;

  /**
   * `flush`: `quiet` when the file went quiet (lines a multi-line record may still continue make a
   * record now); `final` when it will not grow again (it was rotated away: a last line without its
   * newline is a record too).
   */
  return (bytes: Buffer, start: number, skipping: boolean, flush?: 'quiet' | 'final'): Split => {
    const lines: { text: string; end: number; truncated: boolean }[] = [];
    let at = 0;
    let skip = skipping;
    for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, at)) {
      if (skip) skip = false;
      else {
        const cr = nl > at && bytes[nl - 1] === 13 ? 1 : 0;
        const length = nl - cr - at;
        const cut = Math.min(length, maxLogSize);
        lines.push({
          text: bytes.toString('utf8', at, at + cut),
          end: start + nl + 1,
          truncated: length > maxLogSize,
        });
      }
      at = nl + 1;
    }
    // A line with no newline yet, longer than a record may be (a \r may still be its CRLF's): cut it
    // now and skip its rest.
    if (!skip && bytes.length - at > maxLogSize + 1) {
      lines.push({
        text: bytes.toString('utf8', at, at + maxLogSize),
        end: start + bytes.length,
        truncated: true,
      });
      at = bytes.length;
      skip = true;
    } else if (skip) {
      at = bytes.length;
    } else if (flush === 'final' && at < bytes.length) {
      const length = bytes.length - at;
      lines.push({
        text: bytes.toString('utf8', at, at + Math.min(length, maxLogSize)),
        end: start + bytes.length,
        truncated: length > maxLogSize,
      });
      at = bytes.length;
    }
    const tail = bytes.length - at;
    if (!startRe && !endRe) return { records: lines, pending: tail, skipping: skip };

    const records: RecordText[] = [];
    let group: typeof lines = [];
    const close = () => {
      if (group.length === 0) return;
      const text = group.map((l) => l.text).join('\n');
      const last = group[group.length - 1] as (typeof lines)[number];
      records.push({
        text: text.length > maxLogSize ? text.slice(0, maxLogSize) : text,
        end: last.end,
        truncated: text.length > maxLogSize || group.some((l) => l.truncated),
      });
      group = [];
    };
    for (const line of lines) {
      if (startRe?.test(line.text)) close();
      group.push(line);
      // A line cut at max_log_size ends its record, however the polls cut the file.
      if (endRe?.test(line.text) || line.truncated) close();
    }
    // The open group may go on in bytes not yet written, unless the file went quiet (or a line in it
    // was cut: its rest is skipped, so the group cannot be read again).
    if ((flush && tail === 0) || skip) close();
    const emittedEnd = records.length ? (records[records.length - 1] as RecordText).end : start;
    return { records, pending: start + bytes.length - emittedEnd, skipping: skip };
  };
}
