import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Counter } from '@opentelemetry/api';
import type { AnyValueMap } from '@opentelemetry/api-logs';
import { millisToHrTime } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { Consumer, Host, Receiver } from '../../../core/component.js';
import { TributaryError } from '../../../core/errors.js';
import type { StorageClient, StorageExtension } from '../../../core/exporterhelper/storage.js';
import { globFiles } from '../../../core/glob.js';
import type { CreateContext } from '../../../core/plugin.js';
import { ENGINE_VERSION } from '../../../core/version.js';
import type { FilelogConfig } from './config.js';
import { type ParsedRecord, recordParser } from './parse.js';
import { type RecordText, recordsSplitter } from './records.js';
import { type Checkpoint, inodeOf, sameFile, startsWith, TrackedFile } from './tracked-file.js';

const CHECKPOINTS_KEY = 'checkpoints';
/** Polls a parked file's checkpoint outlives its path (a rename, the new file not there yet). */
const PARKED_POLLS = 5;
const SCOPE = { name: 'tributary/filelog', version: ENGINE_VERSION };
const RESOURCE = resourceFromAttributes({});

/**
 * Tails the files the include globs name, as the Collector's filelog receiver does: each file is
 * known by its inode while open (so a rename does not lose it) and by its first bytes across restarts;
 * records are handed on in batches, and a file's offset moves past them only once the pipeline took
 * them (a refusal stops reading until the next poll). Checkpoints go to a storage extension.
 */
export class FilelogReceiver implements Receiver {
  private readonly files = new Map<string, TrackedFile>();
  /** Checkpoints of the last run not yet matched to a file. */
  private restored: Checkpoint[] = [];
  /** Where files truncated in place (copytruncate) were, by their old first bytes: their copy goes on from there. */
  private readonly truncated: { fingerprint: Buffer; offset: number }[] = [];
  /**
   * Files closed, read to their end, to make room under max_concurrent_files, by path, in the order
   * they were closed: where each stood, so its turn to be opened again (after the files never read)
   * goes on from there.
   */
  private readonly parked = new Map<string, Checkpoint>();
  /** Parked paths the globs did not find, with how many polls in a row. */
  private readonly unmatched = new Map<string, number>();
  /** The last match of the globs skipped files because max_concurrent_files were open. */
  private crowded = false;
  private storage?: StorageClient;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private firstPoll = true;
  private stopped = false;
  private refusing = false;
  private readonly parse: (text: string) => ParsedRecord;
  private readonly split: ReturnType<typeof recordsSplitter>;
  private readonly counters: Record<'truncated' | 'parseErrors' | 'skippedFiles' | 'refused', Counter>;

  constructor(
    private readonly ctx: CreateContext<FilelogConfig>,
    private readonly next: Consumer<'logs'>,
  ) {
    this.parse = recordParser(ctx.config);
    this.split = recordsSplitter(ctx.config.max_log_size, ctx.config.multiline);
    const counter = (name: string, description: string, unit: string) =>
      ctx.meter.createCounter(`tributary_receiver_filelog_${name}`, { description, unit });
    this.counters = {
      truncated: counter('truncated_records', 'Records longer than max_log_size, cut to it', '{record}'),
      parseErrors: counter(
        'parse_errors',
        'Records the parser could not read (handed on as their text)',
        '{record}',
      ),
      skippedFiles: counter(
        'skipped_files',
        'Files put off to a later poll because max_concurrent_files were open',
        '{file}',
      ),
      refused: counter('refused_polls', 'Polls that stopped because the pipeline refused records', '{poll}'),
    };
  }

  async start(host: Host): Promise<void> {
    const id = this.ctx.config.storage;
    if (id !== undefined) {
      const extension = host.getExtension<StorageExtension>(id);
      if (typeof extension?.getClient !== 'function') {
        throw new TributaryError(
          'TRB_RECEIVER_STORAGE_NOT_FOUND',
          `storage names "${id}", which is not a running storage extension`,
          { path: `receivers.${this.ctx.id}.storage` },
          `define it under extensions (e.g. file_storage: { directory: ./data }) and list "${id}" in service.extensions`,
        );
      }
      this.storage = await extension.getClient(this.ctx.id, 'logs');
      const saved = await this.storage.get(CHECKPOINTS_KEY);
      if (saved) this.restored = JSON.parse(Buffer.from(saved).toString('utf8')) as Checkpoint[];
    }
    // The files there now are found before start() returns: start_at: end is the end at the start.
    await this.discover();
    this.schedule(0);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
    await this.saveCheckpoints();
    for (const file of this.files.values()) await file.close().catch(() => {});
    this.files.clear();
    await this.storage?.close();
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.polling = this.poll()
        .catch((err: Error) => this.ctx.logger.error({ err }, 'filelog poll failed'))
        .finally(() => this.schedule(this.ctx.config.poll_interval));
    }, delay);
  }

  /** Matches the globs: new files are opened, known ones followed (renamed, truncated). */
  private async discover(): Promise<void> {
    const matching = this.matchingPaths();
    const matched = new Set(matching);
    // A parked file whose path the globs no longer find was renamed or deleted: kept for a few polls
    // (a rotation renames first and creates the new file after), then forgotten.
    for (const path of this.parked.keys()) {
      if (matched.has(path)) this.unmatched.delete(path);
      else if ((this.unmatched.get(path) ?? 0) >= PARKED_POLLS) {
        this.parked.delete(path);
        this.unmatched.delete(path);
      } else this.unmatched.set(path, (this.unmatched.get(path) ?? 0) + 1);
    }
    // Files never read go first, then the parked ones, longest parked first: each gets its turn.
    const paths = [...matching.filter((p) => !this.parked.has(p)), ...this.parked.keys()];
    this.crowded = false;
    for (const file of this.files.values()) file.seen = false;
    for (const path of paths) {
      if (this.stopped) return;
      await this.track(path);
    }
    this.firstPoll = false;
    // A checkpoint of the last run whose file is no longer where the globs look is of a file gone:
    // kept, the saved list would grow over many restarts.
    this.restored = this.restored.filter((c) => matched.has(c.path));
  }

  /** One poll: find the files, read each from where it stands, hand the records on. */
  private async poll(): Promise<void> {
    await this.discover();
    let refused = false;
    for (const [inode, file] of [...this.files]) {
      if (this.stopped || refused) break;
      if (!file.placed) this.place(file, await file.size(), !file.seen);
      if (!file.placed) continue;
      refused = !(await this.readFile(file, !file.seen));
      if (refused) break;
      if (!file.seen) {
        // Rotated away (renamed out of the globs, or deleted) and read to its end.
        this.files.delete(inode);
        await file.close().catch(() => {});
      } else if (this.crowded && (await file.size()) === (file.pendingAt?.size ?? file.offset)) {
        // Read to its end while other files wait for a descriptor: it makes room until its turn.
        this.files.delete(inode);
        this.parked.delete(file.path);
        this.parked.set(file.path, file.checkpoint());
        await file.close().catch(() => {});
      }
    }
    if (refused !== this.refusing) {
      this.refusing = refused;
      if (refused)
        this.ctx.logger.warn('the pipeline refuses records: reading stops until it takes them again');
      else this.ctx.logger.info('the pipeline takes records again');
    }
    if (refused) this.counters.refused.add(1);
    await this.saveCheckpoints();
  }

  private matchingPaths(): string[] {
    const { include, exclude } = this.ctx.config;
    const excluded = new Set(exclude.flatMap((p) => globFiles(p, process.cwd())));
    const paths = new Set(include.flatMap((p) => globFiles(p, process.cwd())));
    return [...paths].filter((p) => !excluded.has(p));
  }

  /** Finds or opens the file at `path`; a new one starts where its checkpoint, start_at or a rotation says. */
  private async track(path: string): Promise<void> {
    let stats: Awaited<ReturnType<typeof stat>>;
    try {
      stats = await stat(path);
    } catch {
      return; // gone between the glob and now
    }
    const { fingerprint_size, max_concurrent_files, start_at } = this.ctx.config;
    const known = this.files.get(inodeOf(stats));
    if (known) {
      known.seen = true;
      known.path = path;
      const first = await known.firstBytes(fingerprint_size);
      if (stats.size < known.offset || !startsWith(first, known.fingerprint)) {
        // Truncated in place (copytruncate), perhaps written again since: read from its start; its
        // copy, if read, goes on from the old offset.
        if (known.placed) this.truncated.push({ fingerprint: known.fingerprint, offset: known.offset });
        if (this.truncated.length > max_concurrent_files) this.truncated.shift();
        known.offset = 0;
        known.skipping = false;
        known.pendingAt = undefined;
      }
      known.fingerprint = first;
      if (!known.placed) this.place(known, stats.size, false);
      return;
    }
    // A file closed to make room is opened again only when it has grown or shrunk since.
    if (this.parked.get(path)?.offset === stats.size) return;
    if (this.files.size >= max_concurrent_files) {
      this.counters.skippedFiles.add(1);
      this.crowded = true;
      return;
    }
    let file: TrackedFile;
    try {
      file = await TrackedFile.open(path, stats, fingerprint_size);
    } catch (err) {
      this.ctx.logger.warn({ path, err: (err as Error).message }, 'cannot open a file to read');
      return;
    }
    // start_at: end applies to what the files hold at the start, unless a checkpoint says otherwise.
    if (this.firstPoll && start_at === 'end') file.startedAt = stats.size;
    this.place(file, stats.size, false);
    this.files.set(file.inode, file);
  }

  /**
   * Decides where a file not read yet starts: where its checkpoint says, where the file it is a copy
   * of stood (copytruncate), or at its start. Until its first bytes can tell (it is empty, or shorter
   * than a file it may be a copy of), it waits, unread, unless `final` (it will not grow again).
   */
  private place(file: TrackedFile, size: number, final: boolean): void {
    if (file.placed) return;
    const fp = file.fingerprint;
    const others = [
      ...[...this.restored, ...this.parked.values()].map((c) => Buffer.from(c.fingerprint, 'base64')),
      ...this.truncated.map((t) => t.fingerprint),
      ...[...this.files.values()].filter((f) => f !== file && f.placed).map((f) => f.fingerprint),
    ];
    if (!final && (fp.length === 0 || others.some((o) => sameFile(o, fp) && o.length > fp.length))) return;
    const matches = (other: Buffer) => sameFile(other, fp);
    // Closed to make room: by its path, or renamed (rotation) or copied (copytruncate) since.
    const wasParked = (c: Checkpoint | undefined) => c && matches(Buffer.from(c.fingerprint, 'base64'));
    const parkedHere = this.parked.get(file.path);
    const parked = wasParked(parkedHere) ? parkedHere : [...this.parked.values()].find(wasParked);
    if (parked) {
      file.offset = Math.min(parked.offset, size);
      file.skipping = parked.skipping;
      this.parked.delete(parked.path);
      this.unmatched.delete(parked.path);
      file.placed = true;
      return;
    }
    const restored =
      this.restored.find((c) => c.path === file.path && matches(Buffer.from(c.fingerprint, 'base64'))) ??
      this.restored.find((c) => matches(Buffer.from(c.fingerprint, 'base64')));
    const copied = this.truncated.find((t) => matches(t.fingerprint));
    const running = [...this.files.values()].find((f) => f !== file && f.placed && matches(f.fingerprint));
    if (restored) {
      file.offset = Math.min(restored.offset, size);
      file.skipping = restored.skipping;
      this.restored.splice(this.restored.indexOf(restored), 1);
    } else if (copied) {
      // The copy of a file truncated in place (copytruncate): only what was not read of it yet.
      file.offset = Math.min(copied.offset, size);
    } else if (running && !final) {
      // A copy of a file still being read: the same lines. It waits, unread: if the original is
      // truncated next (copytruncate), it goes on from where the original stood then.
      return;
    } else if (running) {
      file.offset = Math.min(running.offset, size);
    } else {
      file.offset = Math.min(file.startedAt, size);
    }
    file.placed = true;
  }

  /**
   * Reads `file` from its offset to its end, handing on records batch by batch; false when the
   * pipeline refused a batch (the offset stays before it). `final`: the file will not grow again.
   */
  private async readFile(file: TrackedFile, final: boolean): Promise<boolean> {
    const { max_log_size, max_batch_size } = this.ctx.config;
    const chunk = Math.max(64 * 1024, max_log_size + 2);
    // What is read must be in the fingerprint that names the file (it may have been empty, or short,
    // when the poll looked): a copy of it, or its truncation, is then recognised.
    if (file.fingerprint.length < this.ctx.config.fingerprint_size) {
      const first = await file.firstBytes(this.ctx.config.fingerprint_size);
      if (startsWith(first, file.fingerprint)) file.fingerprint = first;
    }
    for (;;) {
      const size = await file.size();
      if (file.offset >= size) return true;
      const start = file.offset;
      const bytes = await file.read(chunk);
      if (bytes.length === 0) return true;
      const atEnd = start + bytes.length >= size;
      // Quiet: nothing was written since the last poll left these bytes pending.
      const quiet = file.pendingAt?.offset === start && file.pendingAt.size === size;
      const flush = final && atEnd ? 'final' : quiet ? 'quiet' : undefined;
      const { records, pending, skipping } = this.split(bytes, start, file.skipping, flush);
      for (let i = 0; i < records.length; i += max_batch_size) {
        const part = records.slice(i, i + max_batch_size);
        if (!(await this.handOn(file, part))) return false;
        file.offset = (part[part.length - 1] as RecordText).end;
        file.skipping = false;
      }
      if (skipping) {
        // Inside a line cut at max_log_size: its rest is skipped up to the next newline.
        file.offset = start + bytes.length;
        file.skipping = true;
      }
      file.pendingAt = pending > 0 ? { offset: file.offset, size } : undefined;
      if (atEnd || file.offset === start) return true;
    }
  }

  /** Hands `records` on as log records (empty ones carry nothing); false when the pipeline refused them. */
  private async handOn(file: TrackedFile, all: readonly RecordText[]): Promise<boolean> {
    const records = all.filter((r) => r.text !== '');
    if (records.length === 0) return true;
    const observed = millisToHrTime(Date.now());
    const batch: ReadableLogRecord[] = records.map((r) => {
      const parsed = this.parse(r.text);
      if (r.truncated) this.counters.truncated.add(1);
      if (parsed.error) this.counters.parseErrors.add(1);
      const attributes: AnyValueMap = { ...parsed.attributes, 'log.file.name': basename(file.path) };
      return {
        hrTime: parsed.timeMs === undefined ? observed : millisToHrTime(parsed.timeMs),
        hrTimeObserved: observed,
        severityNumber: parsed.severityNumber,
        severityText: parsed.severityText,
        body: parsed.body,
        resource: RESOURCE,
        instrumentationScope: SCOPE,
        attributes: attributes as ReadableLogRecord['attributes'],
        droppedAttributesCount: 0,
      };
    });
    try {
      await this.next.consume(batch);
      return true;
    } catch {
      return false;
    }
  }

  private async saveCheckpoints(): Promise<void> {
    if (!this.storage) return;
    // Checkpoints of the last run not matched yet (their file still empty, say) are kept too.
    const checkpoints = [
      ...[...this.files.values()].map((f) => f.checkpoint()),
      ...this.parked.values(),
      ...this.restored,
    ];
    try {
      await this.storage.set(CHECKPOINTS_KEY, Buffer.from(JSON.stringify(checkpoints)));
    } catch (err) {
      this.ctx.logger.warn(
        { err: (err as Error).message },
        'cannot save checkpoints; they are kept in memory',
      );
    }
  }
}
