/**
 * Walks a directory tree and streams what it finds in batches. Written against a minimal shape that
 * FileSystemDirectoryHandle satisfies, so the same code runs in the scan worker and in Node tests.
 */
import {
  HIDDEN_FILE,
  type ScanBatch,
  type ScanEntry,
  type ScanNote,
  type ScanProgress,
} from '#core/scan-types';
import { isHiddenName, systemFileReason, systemFolderReason } from '#core/system-files';

export interface TreeFile {
  readonly kind: 'file';
  readonly name: string;
  getFile(): Promise<{ readonly size: number; readonly lastModified: number }>;
}

export interface TreeDir {
  readonly kind: 'directory';
  readonly name: string;
  values(): AsyncIterable<TreeFile | TreeDir>;
}

export interface WalkOptions {
  /** Emit a batch at least this often (ms) while entries come in. */
  readonly flushMs?: number;
  /** Emit a batch once it holds this many entries. */
  readonly maxBatch?: number;
  /** How many files of one folder are opened at once: getFile() is slow one by one, and all of a folder at once
   * is fastest (the requests queue in the browser process, not in the page). */
  readonly concurrency?: number;
  readonly now?: () => number;
  /** Awaited after each batch; on the page it yields to the event loop so a long walk never blocks input. */
  readonly pause?: () => Promise<void>;
  /** Scan hidden files and folders (names starting with a dot) as data rather than skip them. */
  readonly includeHidden?: boolean;
}

const collator = new Intl.Collator('en', { numeric: true });

/** The order the walk lists a folder's files and subfolders in: natural name order ("file-2" before "file-10"). */
export function walkOrder(a: string, b: string): number {
  return collator.compare(a, b);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name || error.message : String(error);
}

/**
 * `emit` may return a promise: the walk waits for it before going on, so a batch sent over another channel (a
 * Comlink callback) has arrived before the walk's own result does, and a slow receiver slows the walk down.
 */
export async function walkTree(
  root: TreeDir,
  emit: (batch: ScanBatch) => void | Promise<void>,
  {
    flushMs = 100,
    maxBatch = 5000,
    concurrency = 2048,
    now = () => Date.now(),
    pause,
    includeHidden = false,
  }: WalkOptions = {},
): Promise<ScanProgress> {
  let entries: ScanEntry[] = [];
  let notes: ScanNote[] = [];
  const progress = { files: 0, bytes: 0, skipped: 0, hidden: 0, folders: 0 };
  let lastFlush = now();

  const flush = async (force: boolean) => {
    if (!force && entries.length < maxBatch && now() - lastFlush < flushMs) return;
    const batch = { entries, notes, progress: { ...progress } };
    entries = [];
    notes = [];
    await emit(batch);
    if (pause) await pause();
    lastFlush = now();
  };

  const readFile = async (file: TreeFile, path: string): Promise<void> => {
    const skip =
      systemFileReason(file.name) ?? (!includeHidden && isHiddenName(file.name) ? HIDDEN_FILE : null);
    try {
      const { size, lastModified } = await file.getFile();
      if (skip) {
        progress.skipped += 1;
        if (skip === HIDDEN_FILE) progress.hidden += 1;
        entries.push({ path, size, lastModified, skip });
      } else {
        progress.files += 1;
        progress.bytes += size;
        entries.push({ path, size, lastModified });
      }
    } catch (error) {
      notes.push({
        path,
        kind: 'unreadable',
        message: `"${path}" could not be read (${errorName(error)}); it may be open in another program or you may lack permission. Close it or fix its permissions, then scan again.`,
      });
    }
  };

  // Depth first with an explicit stack, so a deep tree cannot overflow the call stack.
  const stack: { dir: TreeDir; path: string }[] = [{ dir: root, path: '' }];
  while (stack.length > 0) {
    const { dir, path: dirPath } = stack.pop() as { dir: TreeDir; path: string };
    const prefix = dirPath === '' ? '' : `${dirPath}/`;
    progress.folders += 1;
    const files: TreeFile[] = [];
    const dirs: TreeDir[] = [];
    let readable = true;
    try {
      for await (const child of dir.values()) {
        if (child.kind === 'file') files.push(child);
        else dirs.push(child);
      }
    } catch (error) {
      readable = false;
      notes.push({
        path: dirPath,
        kind: 'unreadable',
        message: `The folder "${dirPath || dir.name}" could not be read completely (${errorName(error)}). Check its permissions, then scan again; the files listed from it so far are kept.`,
      });
    }
    if (readable && files.length === 0 && dirs.length === 0 && dirPath !== '') {
      notes.push({
        path: dirPath,
        kind: 'empty-folder',
        message: `The folder "${dirPath}" is empty; nothing in it will be uploaded.`,
      });
    }
    files.sort((a, b) => collator.compare(a.name, b.name));
    for (let i = 0; i < files.length; i += concurrency) {
      // Opened in parallel, recorded in name order.
      const ordered = entries.length;
      await Promise.all(files.slice(i, i + concurrency).map((f) => readFile(f, prefix + f.name)));
      sortTail(entries, ordered);
      await flush(false);
    }
    dirs.sort((a, b) => collator.compare(b.name, a.name));
    for (const sub of dirs) {
      const path = prefix + sub.name;
      const reason = systemFolderReason(sub.name);
      if (reason) {
        notes.push({
          path,
          kind: 'system-folder',
          message: `Skipped the folder "${path}": ${reason}, not data.`,
        });
        continue;
      }
      if (!includeHidden && isHiddenName(sub.name)) {
        notes.push({
          path,
          kind: 'hidden-folder',
          message: `Skipped the hidden folder "${path}": its name starts with a dot, so it holds a program's own files, not data. Tick Include hidden files to upload it.`,
        });
        continue;
      }
      stack.push({ dir: sub, path });
    }
    await flush(false);
  }
  await flush(true);
  return { ...progress };
}

/** Parallel reads finish in any order; put the entries added since `from` back in name order. */
function sortTail(entries: ScanEntry[], from: number): void {
  if (entries.length - from < 2) return;
  const tail = entries.splice(from).sort((a, b) => collator.compare(a.path, b.path));
  for (const e of tail) entries.push(e);
}
