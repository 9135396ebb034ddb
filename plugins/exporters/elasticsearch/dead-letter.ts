import { access, constants, type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { TributaryError } from '../../../core/errors.js';
import type { Signal } from '../../../core/signals.js';
import type { Doc, OpType } from './documents.js';

/** Why Elasticsearch (or the request carrying it) refused a document. */
export interface Rejection {
  status: number;
  type: string;
  reason: string;
  /** Elasticsearch's own nested cause, as it sent it. */
  caused_by?: unknown;
}

/** A document on its way to the dead-letter file. */
export interface DeadLetter {
  doc: Doc;
  rejection: Rejection;
}

/**
 * One dead-letter line: when, who, where it was going, why it was refused, and the document itself,
 * so it can be fixed and sent again (`{"<op_type>":{"_index":index}}` + `document` is its bulk operation).
 */
export function deadLetterLine(
  letter: DeadLetter,
  component: string,
  signal: Signal,
  opType: OpType,
  now: string,
): string {
  const { doc, rejection } = letter;
  const error: Record<string, unknown> = { type: rejection.type, reason: rejection.reason };
  if (rejection.caused_by !== undefined) error.caused_by = rejection.caused_by;
  return `{"@timestamp":${JSON.stringify(now)},"component":${JSON.stringify(component)},"signal":"${signal}","index":${JSON.stringify(doc.index)},"op_type":"${opType}","status":${rejection.status},"error":${JSON.stringify(error)},"document":${doc.source}}\n`;
}

/**
 * An append-only JSON lines file, opened on the first write (no empty file appears when nothing is
 * ever rejected) and shared by every exporter of the process naming the same path.
 */
export class DeadLetterFile {
  private handle?: FileHandle;
  private tail: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  /** Appends whole lines behind earlier appends. Rejects with TRB_EXPORTER_DEAD_LETTER_WRITE. */
  append(text: string): Promise<void> {
    const turn = this.tail.then(() => this.write(text));
    this.tail = turn.catch(() => {});
    return turn;
  }

  /** Whether the file could be created where it is configured; the reason when not. */
  async checkWritable(): Promise<string | undefined> {
    try {
      await access(this.path, constants.W_OK);
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return reason(err);
    }
    try {
      await access(dirname(this.path), constants.W_OK);
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // made on first write
      return reason(err);
    }
  }

  close(): Promise<void> {
    const turn = this.tail.then(async () => {
      const handle = this.handle;
      this.handle = undefined;
      await handle?.close();
    });
    this.tail = turn.catch(() => {});
    return turn;
  }

  private async write(text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    try {
      if (!this.handle) {
        await mkdir(dirname(this.path), { recursive: true });
        this.handle = await open(this.path, 'a');
      }
      let offset = 0;
      while (offset < bytes.length) {
        offset += (await this.handle.write(bytes, offset, bytes.length - offset)).bytesWritten;
      }
    } catch (err) {
      // Reopen on the next write: the file may have been moved, or space freed.
      const handle = this.handle;
      this.handle = undefined;
      await handle?.close().catch(() => {});
      const error = new TributaryError(
        'TRB_EXPORTER_DEAD_LETTER_WRITE',
        `cannot write the dead-letter file ${this.path}: ${reason(err)}`,
        {},
        'make dead_letter.path writable by this process; the rejected documents are kept and written again on the next retry',
      );
      error.cause = err;
      throw error;
    }
  }
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/* One DeadLetterFile per path in the process: the logs and traces exporters of a component share it. */
const files = new Map<string, { file: DeadLetterFile; users: number }>();

export function acquireDeadLetterFile(path: string): DeadLetterFile {
  const absolute = resolve(path);
  const shared = files.get(absolute);
  if (shared) {
    shared.users++;
    return shared.file;
  }
  const file = new DeadLetterFile(absolute);
  files.set(absolute, { file, users: 1 });
  return file;
}

export async function releaseDeadLetterFile(file: DeadLetterFile): Promise<void> {
  const shared = files.get(file.path);
  if (!shared || shared.file !== file) return;
  if (--shared.users > 0) return;
  files.delete(file.path);
  await file.close();
}
