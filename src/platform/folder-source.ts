/**
 * Where the bytes of a scanned file come from at upload time. A picked directory handle is asked again by path
 * (so the page never holds 100,000 File objects); the input and drop fallbacks keep the File objects they got,
 * and the worker asks the page for a folder input's files when it reads their bytes.
 */

export interface FolderSource {
  /** The picked folder's own name. */
  readonly name: string;
  /** Opens the file at `path` (relative to the folder) for reading. */
  open(path: string): Promise<File>;
}

/** What handleSource needs of a file handle: FileSystemFileHandle, or a stand-in in tests. */
export interface SourceFile {
  readonly kind: 'file';
  readonly name: string;
  getFile(): Promise<File>;
}

/** What handleSource needs of a directory handle: FileSystemDirectoryHandle, or a stand-in in tests. */
export interface SourceDir {
  readonly kind: 'directory';
  readonly name: string;
  values(): AsyncIterable<SourceFile | SourceDir>;
  getFileHandle(name: string): Promise<SourceFile>;
  getDirectoryHandle(name: string): Promise<SourceDir>;
}

/** Handles one listing of a folder may hold before it gives up and files are asked for by name. */
export const MAX_LISTED_HANDLES = 50_000;

/**
 * How long one file's turn may wait for the listing's next entries before the listing is given up. Some Chromium
 * builds have left a directory's listing unanswered for good; asking by name still reaches every file.
 */
export const LISTING_PATIENCE_MS = 10_000;

const LATE = Symbol('late');

export function handleSource(root: FileSystemDirectoryHandle | SourceDir): FolderSource {
  const top = root as SourceDir;
  const dirs = new Map<string, Promise<SourceDir>>([['', Promise.resolve(top)]]);
  const listings = new Map<string, FolderListing>();
  const dir = (path: string): Promise<SourceDir> => {
    let found = dirs.get(path);
    if (!found) {
      const cut = path.lastIndexOf('/');
      const parent = cut < 0 ? '' : path.slice(0, cut);
      found = dir(parent).then((p) => p.getDirectoryHandle(path.slice(cut + 1)));
      dirs.set(path, found);
      // A failed lookup must not be cached: the folder may be back on the next try.
      found.catch(() => dirs.delete(path));
    }
    return found;
  };
  return {
    name: top.name,
    async open(path) {
      const cut = path.lastIndexOf('/');
      const dirPath = cut < 0 ? '' : path.slice(0, cut);
      const name = path.slice(cut + 1);
      const parent = await dir(dirPath);
      let listing = listings.get(dirPath);
      if (!listing) {
        listing = new FolderListing(parent);
        listings.set(dirPath, listing);
      }
      const listed = await listing.take(name);
      // A listing that has been read to its end and handed out all it held is dropped: a later batch lists again.
      if (listing.spent && listings.get(dirPath) === listing) listings.delete(dirPath);
      const handle = listed ?? (await parent.getFileHandle(name));
      return handle.getFile();
    },
  };
}

/**
 * The files of one folder, read from its listing as they are asked for. Opening a file asked for by name costs
 * the browser about twice what opening it through the listing does (5,000 OPFS files: 7–9 s of CPU against 4 s),
 * and the files are asked for in the scan's order, so the listing is read only a little ahead of the asking.
 * Handles read past on the way are kept until asked for. A file not in the listing (asked for twice, or added since) is asked
 * for by name, as is every file once the listing fails, stalls, or has held too many handles.
 */
class FolderListing {
  readonly #dir: SourceDir;
  #entries: AsyncIterator<SourceFile | SourceDir> | null = null;
  readonly #ahead = new Map<string, SourceFile>();
  #ended = false;
  /** Set when the listing failed, stalled or would have held too many handles: its files are asked for by name. */
  #gaveUp = false;
  /** Reads of the listing happen one at a time; concurrent takes wait their turn. */
  #turn: Promise<unknown> = Promise.resolve();

  constructor(dir: SourceDir) {
    this.#dir = dir;
  }

  /** True once the listing has been read to its end and every handle it gave has been taken. */
  get spent(): boolean {
    return this.#ended && !this.#gaveUp && this.#ahead.size === 0;
  }

  /** The handle of `name` from the listing, or null when it must be asked for by name. */
  take(name: string): Promise<SourceFile | null> {
    const result = this.#turn.then(() => this.#find(name));
    this.#turn = result.catch(() => undefined);
    return result;
  }

  async #find(name: string): Promise<SourceFile | null> {
    const kept = this.#ahead.get(name);
    if (kept) {
      this.#ahead.delete(name);
      return kept;
    }
    if (this.#ended) return null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<typeof LATE>((resolve) => {
      timer = setTimeout(() => resolve(LATE), LISTING_PATIENCE_MS);
    });
    try {
      this.#entries ??= this.#dir.values()[Symbol.asyncIterator]();
      while (!this.#ended) {
        const next = await Promise.race([this.#entries.next(), late]);
        if (next === LATE) {
          this.#giveUp();
          break;
        }
        if (next.done) {
          this.#ended = true;
          break;
        }
        const entry = next.value;
        if (entry.kind !== 'file') continue;
        if (entry.name === name) return entry;
        if (this.#ahead.size >= MAX_LISTED_HANDLES) {
          this.#giveUp();
          break;
        }
        this.#ahead.set(entry.name, entry);
      }
    } catch {
      // The folder could not be listed (moved, permission gone): asking by name says why, file by file.
      this.#giveUp();
    } finally {
      clearTimeout(timer);
    }
    return null;
  }

  #giveUp(): void {
    this.#ended = true;
    this.#gaveUp = true;
    this.#ahead.clear();
    // A listing that stalled may not answer this either, nor kindly.
    Promise.resolve(this.#entries?.return?.()).catch(() => undefined);
  }
}

export function filesSource(name: string, files: ReadonlyMap<string, File>): FolderSource {
  return {
    name,
    async open(path) {
      const file = files.get(path);
      if (!file) throw notInFolder(path);
      return file;
    },
  };
}

/**
 * A folder whose File objects are held elsewhere (a folder input's, on the page): `ask` fetches the files at some
 * paths, null for a path it does not hold. Files opened in the same turn are asked for in one call, so the 64
 * first-byte reads of the check cost one message, not 64.
 */
export function askingSource(
  name: string,
  ask: (paths: readonly string[]) => Promise<readonly (File | null)[]>,
): FolderSource {
  let waiting: { path: string; resolve: (file: File) => void; reject: (error: unknown) => void }[] = [];
  const send = () => {
    const batch = waiting;
    waiting = [];
    ask(batch.map((item) => item.path)).then(
      (files) =>
        batch.forEach((item, i) => {
          const file = files[i];
          if (file) item.resolve(file);
          else item.reject(notInFolder(item.path));
        }),
      (error: unknown) => batch.forEach((item) => item.reject(error)),
    );
  };
  return {
    name,
    open(path) {
      return new Promise((resolve, reject) => {
        waiting.push({ path, resolve, reject });
        if (waiting.length === 1) queueMicrotask(send);
      });
    },
  };
}

function notInFolder(path: string): DOMException {
  return new DOMException(`"${path}" is not in the picked folder.`, 'NotFoundError');
}
