/**
 * The running batch, kept in IndexedDB so that a reload, a crashed tab or a browser restart can resume it: the
 * folder's handle (when it was picked with the directory picker), the upload settings, the web copies, and per
 * file what is known so far (arrived, or the address of its unfinished tus upload, and its checksums).
 *
 * Changes are gathered and written in one transaction a second, never one per file. The files' records are kept
 * in pages of a few hundred, one entry each, and a write puts the pages that changed: IndexedDB's cost is per
 * entry, and one entry per file cost the browser a tenth of its time during an upload of many small files.
 * Nothing is removed from a page, but the whole batch is cleared when it is complete or cancelled: nothing grows
 * from one batch to the next.
 *
 * A file that arrives is also noted at once in localStorage (synchronous, so it survives a reload or a crash a
 * moment later) until the next write has it: otherwise the files that finished in the page's last second would
 * be missing after a reload, and Resume previous upload would undercount what had arrived.
 */
import type { DerivativeRole } from '#core/images/types';
import { clear, createStore, entries, get, promisifyRequest, setMany, type UseStore } from 'idb-keyval';

/** A web copy that joins the upload. */
export interface CopyRecord {
  /** The copy's path in the upload (it lives in OPFS). */
  readonly name: string;
  readonly bytes: number;
  readonly lastModified: number;
  readonly copyOf: string;
  /** What it is for; the file lists say so (a thumbnail, the large copy, …). */
  readonly role: DerivativeRole;
}

export interface BatchRecord {
  readonly folderName: string;
  /** The picked folder, to read again after a reload; null when it came through the input or a drop. */
  readonly handle: FileSystemDirectoryHandle | null;
  readonly target: string;
  readonly allowErrors: boolean;
  readonly endpoint: string;
  readonly batch: string;
  readonly startedAt: number;
  /** Web copies that travel, and the originals they keep home (with what those rows said). */
  readonly copies: readonly CopyRecord[];
  readonly held: readonly { readonly path: string; readonly message: string }[];
  /**
   * Files sent under names from their barcodes, as (own path, upload path): a resumed batch sends the rest under
   * the same names, so no file arrives twice under two names. Absent in journals of older pages.
   */
  readonly names?: readonly (readonly [string, string])[];
}

export interface FileRecord {
  readonly path: string;
  readonly size: number;
  readonly lastModified: number;
  readonly sha256?: string;
  readonly md5?: string;
  /** The unfinished tus upload to continue. */
  readonly uploadUrl?: string;
  /** Set once the receiver has the file. */
  readonly arrived?: { readonly storedPath: string; readonly uploadUrl: string; readonly verified: string };
}

/** A change to a file's record; a field set to undefined is forgotten. */
export type FileChange = {
  readonly [K in Exclude<keyof FileRecord, 'path' | 'size' | 'lastModified'>]?: FileRecord[K] | undefined;
};

export interface SavedBatch {
  readonly batch: BatchRecord;
  readonly files: readonly FileRecord[];
}

const BATCH_KEY = 'batch';
const PAGE_PREFIX = 'files:';
/** Records per page: a page rewritten every second stays small, and 100,000 files make a few hundred pages. */
const PAGE_SIZE = 256;
const FLUSH_MS = 1000;
/** localStorage key of the arrivals not yet written to IndexedDB. */
const RECENT_KEY = 'specimen-uploader:recent-arrivals:';
/**
 * Arrivals are noted in localStorage at most this often: each note rewrites every arrival since the last write
 * to IndexedDB, and small files arrive by the hundred each second.
 */
const RECENT_MS = 200;

export class BatchJournal {
  readonly #store: UseStore;
  /** Every file touched in this batch, so a change merges with what was written before. */
  readonly #files = new Map<string, FileRecord>();
  /** The paths on each page, in the order they were first seen, and which page each path is on. */
  readonly #pages: string[][] = [];
  readonly #pageOf = new Map<string, number>();
  /** Pages with changes not yet written. */
  readonly #pending = new Set<number>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #writing: Promise<void> = Promise.resolve();
  readonly #onError: (message: string) => void;
  #failed = false;
  readonly #recentKey: string;
  /** Arrivals not yet written to IndexedDB, by path. */
  readonly #recent = new Map<string, FileRecord>();
  #recentTimer: ReturnType<typeof setTimeout> | undefined;

  /** `onError` hears one sentence the first time the journal cannot be written. */
  constructor(onError: (message: string) => void, database = 'specimen-uploader') {
    this.#store = createStore(database, 'batch');
    this.#onError = onError;
    this.#recentKey = RECENT_KEY + database;
  }

  /** The batch left unfinished by an earlier page, if any. */
  async load(): Promise<SavedBatch | null> {
    try {
      const batch = await get<BatchRecord>(BATCH_KEY, this.#store);
      if (!batch) return null;
      const byPath = new Map<string, FileRecord>();
      for (const [key, value] of await entries<IDBValidKey, readonly FileRecord[]>(this.#store)) {
        if (typeof key === 'string' && key.startsWith(PAGE_PREFIX))
          for (const f of value) byPath.set(f.path, f);
      }
      for (const f of readRecent(this.#recentKey)) byPath.set(f.path, f);
      return { batch, files: [...byPath.values()] };
    } catch {
      return null;
    }
  }

  /**
   * Starts keeping a batch, in place of whatever an older one left. `earlier` are the records of the batch being
   * resumed, kept as they are (written again, in this page's pages, in the same transaction).
   */
  begin(batch: BatchRecord, earlier: readonly FileRecord[] = []): Promise<void> {
    this.#forget();
    for (const file of earlier) this.#keep(file);
    const pages = this.#pages.map((_, n) => this.#entry(n));
    return this.#write(() =>
      this.#store('readwrite', (store) => {
        store.clear();
        store.put(batch, BATCH_KEY);
        for (const [key, records] of pages) store.put(records, key);
        return promisifyRequest(store.transaction);
      }),
    );
  }

  /** Records what became known about a file; written with the next flush. */
  update(facts: Pick<FileRecord, 'path' | 'size' | 'lastModified'>, change: FileChange): void {
    const before = this.#files.get(facts.path);
    const same = before && before.size === facts.size && before.lastModified === facts.lastModified;
    const merged: Record<string, unknown> = { ...(same ? before : {}), ...facts, ...change };
    // `uploadUrl: undefined` forgets an upload that can no longer be continued.
    for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
    const record = merged as unknown as FileRecord;
    this.#pending.add(this.#keep(record));
    if (record.arrived) {
      this.#recent.set(record.path, record);
      this.#recentTimer ??= setTimeout(() => this.#saveRecent(), RECENT_MS);
    }
    this.#timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes the gathered changes now (also when the page is hidden, as it may not come back). */
  flush(): Promise<void> {
    this.#stopTimer();
    // The arrivals go to localStorage at once too: a hidden page may not live to see IndexedDB's answer.
    if (this.#recentTimer !== undefined) this.#saveRecent();
    if (this.#pending.size === 0) return this.#writing;
    const changed = [...this.#pending].map((n) => this.#entry(n));
    this.#pending.clear();
    const written = [...this.#recent];
    return this.#write(async () => {
      await setMany(changed, this.#store);
      for (const [path, record] of written) if (this.#recent.get(path) === record) this.#recent.delete(path);
      this.#saveRecent();
    });
  }

  /** Forgets the batch: it is complete, or the user cancelled it or chose not to resume it. */
  clear(): Promise<void> {
    this.#forget();
    return this.#write(() => clear(this.#store));
  }

  /** Keeps a file's record; returns its page. */
  #keep(file: FileRecord): number {
    this.#files.set(file.path, file);
    let page = this.#pageOf.get(file.path);
    if (page === undefined) {
      const last = this.#pages.at(-1);
      if (!last || last.length >= PAGE_SIZE) this.#pages.push([]);
      page = this.#pages.length - 1;
      this.#pages[page]?.push(file.path);
      this.#pageOf.set(file.path, page);
    }
    return page;
  }

  #entry(page: number): [IDBValidKey, FileRecord[]] {
    const paths = this.#pages[page] ?? [];
    return [`${PAGE_PREFIX}${page}`, paths.map((path) => this.#files.get(path) as FileRecord)];
  }

  #saveRecent(): void {
    clearTimeout(this.#recentTimer);
    this.#recentTimer = undefined;
    try {
      if (this.#recent.size === 0) localStorage.removeItem(this.#recentKey);
      else localStorage.setItem(this.#recentKey, JSON.stringify([...this.#recent.values()]));
    } catch {
      // Storage full or blocked: the next write to IndexedDB still has them.
    }
  }

  #forget(): void {
    this.#recent.clear();
    this.#saveRecent();
    this.#stopTimer();
    this.#files.clear();
    this.#pages.length = 0;
    this.#pageOf.clear();
    this.#pending.clear();
  }

  #stopTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Writes run one after another; the first failure is told once, and the upload itself goes on. */
  #write(job: () => Promise<void>): Promise<void> {
    this.#writing = this.#writing.then(job).catch((error: unknown) => {
      if (this.#failed) return;
      this.#failed = true;
      const reason = error instanceof Error ? error.message : String(error);
      this.#onError(
        `The browser did not let the page keep the upload's progress (${reason}), so a reload would start it over; the upload itself goes on. Free disk space or leave private browsing to resume after a reload.`,
      );
    });
    return this.#writing;
  }
}

function readRecent(key: string): FileRecord[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(key) ?? '[]');
    return Array.isArray(parsed) ? (parsed as FileRecord[]) : [];
  } catch {
    return [];
  }
}
