/**
 * A folder input's files as a tree the core walker reads, built in the folder worker from the facts the page
 * read (see absorbFileList): paths, sizes and dates. The File objects stay on the page.
 */
import type { ScanEntry, ScanNote, ScanProgress } from '#core/scan-types';
import { walkOrder, walkTree, type TreeDir, type TreeFile } from '#core/scan-tree';

export interface FileFactsOnly {
  readonly size: number;
  readonly lastModified: number;
}

class MemoryFile implements TreeFile {
  readonly kind = 'file';
  constructor(
    readonly name: string,
    readonly facts: FileFactsOnly,
  ) {}

  getFile(): Promise<FileFactsOnly> {
    return Promise.resolve(this.facts);
  }
}

/**
 * A folder whose children are kept in the walker's order as they arrive (binary insertion), so the walk after
 * the list's last slice finds every folder sorted and sorts nothing: the insertions happen while the page still
 * waits on the browser for the next files' sizes.
 */
export class MemoryDir implements TreeDir {
  readonly kind = 'directory';
  readonly #children = new Map<string, MemoryDir | MemoryFile>();
  readonly #files: MemoryFile[] = [];
  readonly #dirs: MemoryDir[] = [];
  constructor(readonly name: string) {}

  add(parts: readonly string[], facts: FileFactsOnly, at = 0): void {
    const name = parts[at] as string;
    const present = this.#children.get(name);
    if (at === parts.length - 1) {
      const file = new MemoryFile(name, facts);
      this.#children.set(name, file);
      if (present?.kind === 'file') this.#files[this.#files.indexOf(present)] = file;
      else insertInOrder(this.#files, file);
      return;
    }
    let sub = present;
    if (!sub || sub.kind !== 'directory') {
      sub = new MemoryDir(name);
      this.#children.set(name, sub);
      insertInOrder(this.#dirs, sub);
    }
    sub.add(parts, facts, at + 1);
  }

  async *values(): AsyncIterable<TreeDir | TreeFile> {
    yield* this.#files;
    yield* this.#dirs;
  }
}

/** Inserts `item` after every item that does not walk after it, as a stable sort would place it. */
function insertInOrder<T extends { readonly name: string }>(items: T[], item: T): void {
  let low = 0;
  let high = items.length;
  // Files usually arrive in the browser's listing order: try the end first.
  const last = items[high - 1];
  if (last && walkOrder(last.name, item.name) > 0) {
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (walkOrder((items[mid] as T).name, item.name) > 0) high = mid;
      else low = mid + 1;
    }
  } else low = high;
  items.splice(low, 0, item);
}

/**
 * What a walk of the absorbed files found, for the page to build its rows from the facts it already holds: the
 * files in walk order as their positions in the list the page read (`order`), and why each skipped one is
 * left out, by walk position.
 */
export interface AbsorbedScan {
  readonly order: Uint32Array;
  readonly skips: readonly (readonly [number, string])[];
  readonly notes: readonly ScanNote[];
  readonly progress: ScanProgress;
}

/**
 * A folder input's files as they arrive from the page, a slice at a time, in the order the page read them:
 * their tree, kept sorted as it grows, and each path's place in that order.
 */
export class AbsorbedFolder {
  #root = new MemoryDir('');
  readonly #positions = new Map<string, number>();
  #count = 0;

  /** Takes one slice: paths below the picked folder, sizes and dates, by position. */
  add(paths: readonly string[], sizes: Float64Array, modified: Float64Array): void {
    paths.forEach((path, i) => {
      this.#positions.set(path, this.#count);
      this.#count += 1;
      this.#root.add(path.split('/'), { size: sizes[i] ?? 0, lastModified: modified[i] ?? 0 });
    });
  }

  /** Walks what was taken as walkTree walks a folder; `keep` sees each batch's entries, in walk order. */
  async walk(includeHidden: boolean, keep: (entries: readonly ScanEntry[]) => void): Promise<AbsorbedScan> {
    const order: number[] = [];
    const skips: [number, string][] = [];
    const notes: ScanNote[] = [];
    const progress = await walkTree(
      this.#root,
      (batch) => {
        for (const entry of batch.entries) {
          if (entry.skip !== undefined) skips.push([order.length, entry.skip]);
          order.push(this.#positions.get(entry.path) ?? 0);
        }
        notes.push(...batch.notes);
        keep(batch.entries);
      },
      { includeHidden },
    );
    return { order: Uint32Array.from(order), skips, notes, progress };
  }
}
