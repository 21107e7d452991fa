/**
 * The picked folder and its scan. Rows live in a plain array that grows in place and is never proxied (100,000
 * deep proxies would be slow); `revision` tells the table when to read it again. Updates are batched by the scan
 * (a few per second), so the page stays responsive.
 */
import { fileKind, type FileKind } from '#core/file-types';
import { formatBytes, plural } from '#core/format';
import {
  HIDDEN_FILE,
  type ScanBatch,
  type ScanEntry,
  type ScanNote,
  type ScanProgress,
} from '#core/scan-types';
import { walkTree } from '#core/scan-tree';
import { filesSource, handleSource, type FolderSource } from '../../platform/folder-source';
import { openStored } from '../../platform/opfs';
import type { CopyRecord } from '../../platform/batch-journal';
import {
  absorbFileList,
  filesNotListed,
  yieldToPage,
  type ListFacts,
  type PickedFolder,
} from '../../platform/pick-folder';
import { FolderWorker, type AbsorbedScan } from '../../workers/folder-bridge';
import type { Announcer } from './announcer.svelte';
import { UploadNamesState } from './upload-names.svelte';
import type { FileRow } from './file-row';

export type ScanPhase = 'empty' | 'scanning' | 'ready' | 'cancelled' | 'failed';

const NO_PROGRESS: ScanProgress = { files: 0, bytes: 0, skipped: 0, hidden: 0, folders: 0 };
const nextTick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class FolderState {
  /** The rows, changed only through this class's methods (see `rows`). */
  readonly #rows: FileRow[] = [];
  #revision = $state(0);
  #copiesRevision = $state(0);
  #phase = $state<ScanPhase>('empty');
  #name = $state('');
  #progress = $state.raw<ScanProgress>(NO_PROGRESS);
  #notes = $state.raw<readonly ScanNote[]>([]);
  #error = $state('');
  #includeHidden = $state(false);
  #scannedWithHidden = false;
  #picked: PickedFolder | null = null;
  #source: FolderSource | null = null;
  #handle: FileSystemDirectoryHandle | null = null;
  #worker: FolderWorker | null = null;
  /**
   * The first scan's worker, started with the page: Chromium starts a worker slowly beside many picked Files (a
   * module worker answered its first message after 2.5–2.7 s in a page holding 10,000 of them, 0.25 s in an empty
   * one, with a main-thread task of 270–420 ms), and a folder input's Files exist from the moment it is chosen.
   */
  #spare: FolderWorker | null = null;
  /** The names files are uploaded under when not their own (names from barcodes). */
  readonly names = new UploadNamesState();
  #abort: AbortController | null = null;
  #startedAt = 0;
  /** Rows of the scan; the web copies come after them. */
  #scanned = 0;
  /** Paths of the web copies, which are read from OPFS. */
  readonly #copies = new Set<string>();
  /** Rows the upload does not wait for (skipped or sent), kept as their statuses change (see #track). */
  readonly #settled = new Set<number>();
  /** Originals that their copies replace in the upload, with what they showed before. */
  readonly #held = new Map<number, { readonly status: FileRow['status']; readonly message: string }>();
  /** Told each time a scan completes (see onReady). */
  readonly #readyListeners: (() => void)[] = [];
  /** Told when web copies join or leave the upload (see onCopiesChange). */
  readonly #copiesListeners: (() => void)[] = [];
  readonly #announcer: Announcer;

  constructor(announcer: Announcer) {
    this.#announcer = announcer;
    this.#spare = new FolderWorker();
  }

  /** Bumped whenever the rows change, so the table reads them again. */
  get revision(): number {
    return this.#revision;
  }

  /** Bumped when web copies join or leave the upload (not on every progress tick, as `revision` is). */
  get copiesRevision(): number {
    return this.#copiesRevision;
  }

  get phase(): ScanPhase {
    return this.#phase;
  }

  get name(): string {
    return this.#name;
  }

  get progress(): ScanProgress {
    return this.#progress;
  }

  get notes(): readonly ScanNote[] {
    return this.#notes;
  }

  get error(): string {
    return this.#error;
  }

  /** The setting Include hidden files: hidden files and folders are scanned as data rather than skipped. */
  get includeHidden(): boolean {
    return this.#includeHidden;
  }

  /** Takes effect at the next scan (see `picked` to scan again). */
  setIncludeHidden(value: boolean): void {
    this.#includeHidden = value;
  }

  /** `listener` is told each time a scan completes and the folder is ready to check. */
  onReady(listener: () => void): void {
    this.#readyListeners.push(listener);
  }

  /** `listener` is told when web copies join or leave the upload (when `copiesRevision` is bumped). */
  onCopiesChange(listener: () => void): void {
    this.#copiesListeners.push(listener);
  }

  #copiesChanged(): void {
    this.#copiesRevision += 1;
    for (const listener of this.#copiesListeners) listener();
  }

  /** What the last scan did with hidden files; the check follows the scan, not the setting. */
  get scannedWithHidden(): boolean {
    return this.#scannedWithHidden;
  }

  /** The last folder picked, to scan again when Include hidden files changes. */
  get picked(): PickedFolder | null {
    return this.#picked;
  }

  get source(): FolderSource | null {
    return this.#source;
  }

  /** The picked folder's handle, to read it again after a reload; null for the input and drop fallbacks. */
  get handle(): FileSystemDirectoryHandle | null {
    return this.#handle;
  }

  /** Holds this folder's file list and findings; replaced with every scan. */
  get worker(): FolderWorker | null {
    return this.#worker;
  }

  get scanning(): boolean {
    return this.#phase === 'scanning';
  }

  /** Every file of the folder, then the web copies; read-only outside: the methods below change them. */
  get rows(): readonly Readonly<FileRow>[] {
    return this.#rows;
  }

  /** The ids of the rows the upload does not wait for: skipped or sent; usually few, so counts start from them. */
  get settled(): ReadonlySet<number> {
    return this.#settled;
  }

  /** Keeps `settled` in step with a row whose status was just set. */
  #track(row: FileRow): void {
    if (row.status === 'skipped' || row.status === 'done') this.#settled.add(row.id);
    else this.#settled.delete(row.id);
  }

  /** Tells the table to read the rows again. */
  #touch(): void {
    this.#revision += 1;
  }

  /** The files that had arrived before the page was reloaded. */
  markArrivedBefore(ids: readonly number[]): void {
    for (const id of ids) {
      const row = this.#rows[id];
      if (!row) continue;
      row.status = 'done';
      row.uploaded = row.size;
      row.message = 'Arrived before the page was reloaded.';
      this.#track(row);
    }
    this.#touch();
  }

  /** Queues a row for upload; returns it, or undefined when it is skipped or already arrived. */
  queueForUpload(id: number): Readonly<FileRow> | undefined {
    const row = this.#rows[id];
    if (!row || row.status === 'skipped' || row.status === 'done') return undefined;
    row.status = 'queued';
    row.uploaded = 0;
    row.message = '';
    return row;
  }

  /** Shows the bytes sent so far of each file in flight, by row. */
  showProgress(inFlight: ReadonlyMap<number, number>): void {
    for (const [id, bytes] of inFlight) {
      const row = this.#rows[id];
      if (row && row.status === 'queued') row.status = 'uploading';
      if (row && row.status === 'uploading') row.uploaded = bytes;
    }
    this.#touch();
  }

  /** A file arrived; `message` says where it was stored when that differs from its path, else ''. */
  markUploaded(id: number, message: string): void {
    const row = this.#rows[id];
    if (!row) return;
    row.status = 'done';
    row.uploaded = row.size;
    row.message = message;
    this.#track(row);
  }

  markFailed(id: number, message: string): void {
    const row = this.#rows[id];
    if (!row) return;
    row.status = 'failed';
    row.message = message;
    this.#track(row);
  }

  /** The files still queued or under way when the upload was cancelled. */
  markCancelled(): void {
    for (const row of this.#rows) {
      if (row.status === 'queued' || row.status === 'uploading') {
        row.status = 'cancelled';
        row.uploaded = 0;
      }
    }
    this.#touch();
  }

  async scan(folder: PickedFolder): Promise<void> {
    this.cancel();
    this.#worker?.dispose();
    const worker = this.#spare ?? new FolderWorker();
    this.#spare = null;
    this.#worker = worker;
    const abort = new AbortController();
    this.#abort = abort;
    this.#rows.length = 0;
    this.#settled.clear();
    this.names.clear();
    this.#scanned = 0;
    this.#copies.clear();
    this.#held.clear();
    this.#notes = [];
    this.#error = '';
    this.#progress = NO_PROGRESS;
    this.#phase = 'scanning';
    // After the phase: what listens (the file lists) must see that the last folder is gone.
    this.#copiesChanged();
    this.#picked = folder;
    const includeHidden = this.#includeHidden;
    this.#scannedWithHidden = includeHidden;
    this.#startedAt = performance.now();
    performance.mark('scan-start');
    const onBatch = (batch: ScanBatch) => {
      if (abort.signal.aborted) return;
      this.#append(batch);
    };
    try {
      this.#handle = folder.kind === 'handle' ? folder.handle : null;
      if (folder.kind === 'handle') {
        this.#name = folder.handle.name;
        this.#source = handleSource(folder.handle);
        this.#announcer.say(`Scanning ${this.#name}…`);
        await worker.scan(folder.handle, onBatch, abort.signal, includeHidden);
        if (folder.entry && !abort.signal.aborted) await this.#noteUnlisted(folder.entry, includeHidden);
      } else if (folder.kind === 'list') {
        this.#name = folder.name;
        this.#source = null;
        this.#announcer.say(`Scanning ${this.#name}…`);
        const { files, facts } = await absorbFileList(
          folder.list,
          (read, from, to) => {
            worker.absorb(read, from, to);
            this.#progress = { ...NO_PROGRESS, files: to };
          },
          abort.signal,
        );
        performance.measure('absorb', 'scan-start');
        this.#source = filesSource(folder.name, files);
        // The input's FileList is emptied for the next pick; a rescan (Include hidden files) reads these.
        this.#picked = { kind: 'list', name: folder.name, list: [...files.values()] };
        const walked = await worker.scanAbsorbed(abort.signal, includeHidden, files);
        await this.#placeRead(facts, walked, abort.signal);
      } else {
        this.#name = folder.name;
        this.#source = filesSource(folder.name, folder.files);
        this.#announcer.say(`Scanning ${this.#name}…`);
        await walkTree(folder.tree, onBatch, { flushMs: 25, pause: nextTick, includeHidden });
        if (!abort.signal.aborted) await worker.load(this.#rows, folder.files);
      }
      if (abort.signal.aborted) return;
      performance.measure('scan', 'scan-start');
      this.#scanned = this.#rows.length;
      this.#phase = 'ready';
      this.#announcer.say(`Scan complete: ${this.summary}.`);
      for (const listener of this.#readyListeners) listener();
    } catch (error) {
      if (abort.signal.aborted) return;
      this.#phase = 'failed';
      const reason = error instanceof Error ? error.message : String(error);
      this.#error = `The folder "${this.#name}" could not be scanned: ${reason} Pick the folder again; if it keeps failing, check that it is readable.`;
      this.#announcer.say(this.#error);
    } finally {
      this.#touch();
    }
  }

  cancel(): void {
    if (!this.#abort || this.#phase !== 'scanning') return;
    this.#abort.abort();
    this.#phase = 'cancelled';
    this.#announcer.say(
      `Scan cancelled after ${plural(this.#progress.files, 'file')}. Choose the folder again to rescan.`,
    );
    this.#touch();
  }

  /** Opens a file to upload: a web copy from OPFS, anything else from the picked folder. */
  open(path: string): Promise<File> {
    if (this.#copies.has(path)) return openStored(this.#name, path);
    if (!this.#source) return Promise.reject(new Error('No folder is open.'));
    return this.#source.open(path);
  }

  /** The rows of the scanned folder, without the web copies. */
  get scannedRows(): readonly Readonly<FileRow>[] {
    return this.#rows.slice(0, this.#scanned);
  }

  /** Adds web copies to the upload, each as a row after the scanned files. */
  addCopies(copies: readonly CopyRecord[]): void {
    for (const copy of copies) {
      this.#copies.add(copy.name);
      this.#rows.push({
        id: this.#rows.length,
        path: copy.name,
        size: copy.bytes,
        lastModified: copy.lastModified,
        kind: 'JPEG copy',
        mime: 'image/jpeg',
        status: 'ready',
        uploaded: 0,
        message: `Web copy of ${copy.copyOf}.`,
        copyOf: copy.copyOf,
        copyRole: copy.role,
      });
    }
    this.#copiesChanged();
    this.#touch();
  }

  /** The web copies that travel and the originals they keep home, for resuming the batch after a reload. */
  travelling(): { copies: CopyRecord[]; held: { path: string; message: string }[] } {
    const copies: CopyRecord[] = [];
    for (const row of this.#rows.slice(this.#scanned)) {
      if (row.copyOf !== undefined && row.copyRole !== undefined) {
        const { path: name, size: bytes, lastModified, copyOf, copyRole: role } = row;
        copies.push({ name, bytes, lastModified, copyOf, role });
      }
    }
    const held = [...this.#held.keys()].flatMap((id) => {
      const row = this.#rows[id];
      return row ? [{ path: row.path, message: row.message }] : [];
    });
    return { copies, held };
  }

  /**
   * Puts back the web copies of a batch being resumed, those still stored in this browser with the same size;
   * returns how many were missing (their originals then travel as they are).
   */
  async restoreCopies(copies: readonly CopyRecord[], held: readonly { path: string; message: string }[]) {
    const present: CopyRecord[] = [];
    for (const copy of copies) {
      try {
        const file = await openStored(this.#name, copy.name);
        if (file.size === copy.bytes) present.push({ ...copy, lastModified: file.lastModified });
      } catch {
        // Gone (the browser's storage was cleared): its original goes instead.
      }
    }
    const kept = new Set(present.map((copy) => copy.copyOf));
    this.addCopies(present);
    const ids = new Map(this.scannedRows.map((row) => [row.path, row.id]));
    for (const { path, message } of held) {
      const id = ids.get(path);
      if (id !== undefined && kept.has(path)) this.holdOriginal(id, message);
    }
    return copies.length - present.length;
  }

  /** Keeps an original out of the upload because its copies go instead. */
  holdOriginal(id: number, message: string): void {
    const row = this.#rows[id];
    if (!row || row.status === 'skipped') return;
    this.#held.set(id, { status: row.status, message: row.message });
    row.status = 'skipped';
    row.message = message;
    this.#track(row);
    this.#copiesChanged();
  }

  /** Removes the web copies and lets the originals they replaced travel again, before copies are made anew. */
  forgetCopies(): void {
    for (let id = this.#scanned; id < this.#rows.length; id += 1) this.#settled.delete(id);
    this.#rows.length = this.#scanned;
    this.#copies.clear();
    for (const [id, before] of this.#held) {
      const row = this.#rows[id];
      if (!row) continue;
      row.status = before.status;
      row.message = before.message;
      this.#track(row);
    }
    this.#held.clear();
    this.#copiesChanged();
    this.#touch();
  }

  get summary(): string {
    const { files, bytes, skipped, hidden, folders } = this.#progress;
    const parts = [`${plural(files, 'file')} (${formatBytes(bytes)}) in ${plural(folders, 'folder')}`];
    if (skipped > hidden) parts.push(`${plural(skipped - hidden, 'system file')} skipped`);
    const hiddenFolders = this.#notes.filter((n) => n.kind === 'hidden-folder').length;
    if (hidden > 0 || hiddenFolders > 0) {
      const what = [
        hidden > 0 ? plural(hidden, 'hidden file') : '',
        hiddenFolders > 0 ? plural(hiddenFolders, 'hidden folder') : '',
      ];
      parts.push(`${what.filter(Boolean).join(' and ')} skipped`);
    }
    const empty = this.#notes.filter((n) => n.kind === 'empty-folder').length;
    if (empty > 0) parts.push(`${plural(empty, 'empty folder')}`);
    const unlisted = this.#notes.filter((n) => n.kind === 'unlisted').length;
    if (unlisted > 0) parts.push(`${plural(unlisted, 'file')} the browser could not list (see the notes)`);
    const unreadable = this.#notes.filter((n) => n.kind === 'unreadable').length;
    if (unreadable > 0) parts.push(`${plural(unreadable, 'unreadable entry', 'unreadable entries')}`);
    return parts.join(', ');
  }

  get elapsedMs(): number {
    return performance.now() - this.#startedAt;
  }

  /** Names the files of a dropped folder that the browser's folder access did not list, so they are not lost silently. */
  async #noteUnlisted(entry: FileSystemDirectoryEntry, includeHidden: boolean): Promise<void> {
    const missing = await filesNotListed(entry, new Set(this.#rows.map((row) => row.path)), includeHidden);
    const notes: ScanNote[] = missing.map(({ path, characters }) => ({
      path,
      kind: 'unlisted',
      message: unlistedMessage(path, characters),
    }));
    if (notes.length > 0) this.#notes = [...this.#notes, ...notes];
  }

  #place(row: FileRow): void {
    this.#rows.push(row);
    if (row.status === 'skipped') this.#settled.add(row.id);
  }

  #append(batch: ScanBatch): void {
    for (const entry of batch.entries) {
      this.#place(newRow(this.#rows.length, entry, fileKind(entry.path), entry.skip));
    }
    if (batch.notes.length > 0) this.#notes = [...this.#notes, ...batch.notes];
    this.#progress = batch.progress;
    this.#touch();
  }

  /**
   * Makes the rows of a folder input's files from the facts the page read, in the order the worker walked them,
   * a slice at a time: no file crosses back from the worker.
   */
  async #placeRead(read: ListFacts, walked: AbsorbedScan, signal: AbortSignal): Promise<void> {
    const { order, skips } = walked;
    let skip = 0;
    for (let k = 0; k < order.length;) {
      const sliceStart = performance.now();
      do {
        const at = order[k] as number;
        const skipped = skips[skip]?.[0] === k ? skips[skip++]?.[1] : undefined;
        const path = read.paths[at] ?? '';
        const facts = { path, size: read.sizes[at] ?? 0, lastModified: read.modified[at] ?? 0 };
        this.#place(newRow(k, facts, fileKind(path), skipped));
        k += 1;
      } while (k < order.length && performance.now() - sliceStart < PLACE_BUDGET_MS);
      // After the last slice too: the ready folder's first render (the Prepare step's panels, 27 ms of CPU in a
      // trace of 100,000 files) then gets a task of its own rather than the rest of this slice's.
      await yieldToPage();
      signal.throwIfAborted();
    }
    if (walked.notes.length > 0) this.#notes = [...walked.notes];
    this.#progress = walked.progress;
  }
}

/** How long one slice of placing a folder input's rows may keep the main thread. */
const PLACE_BUDGET_MS = 20;

function newRow(id: number, facts: ScanEntry, kind: FileKind, skip: string | undefined): FileRow {
  return {
    id,
    path: facts.path,
    size: facts.size,
    lastModified: facts.lastModified,
    kind: kind.label,
    mime: kind.mime,
    status: skip === undefined ? 'ready' : 'skipped',
    uploaded: 0,
    message: skipMessage(skip),
  };
}

function skipMessage(skip: string | undefined): string {
  if (skip === undefined) return '';
  if (skip === HIDDEN_FILE)
    return 'Hidden file (its name starts with a dot), not uploaded; tick Include hidden files to upload it.';
  return `System file (${skip}), not uploaded.`;
}

function unlistedMessage(path: string, characters: readonly string[]): string {
  if (characters.length === 0) {
    return `"${path}" was left out by the browser's listing of the folder; it will not be uploaded. Drop the folder again, or choose it.`;
  }
  const named = characters.map((c) =>
    // eslint-disable-next-line no-control-regex -- control characters are named by their code point
    /[\s\u0000-\u001f\u007f\u202e]/.test(c)
      ? `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`
      : `'${c}'`,
  );
  const those = characters.length === 1 ? 'that character' : 'those characters';
  return `"${path}" was left out by the browser, which does not list names holding ${named.join(', ')}; it will not be uploaded. Rename it without ${those} and drop the folder again.`;
}
