/**
 * The three ways a folder reaches the page: the File System Access picker, the <input webkitdirectory> fallback,
 * and drag and drop. Each ends as either a directory handle (scanned in the worker) or a tree of File objects
 * (walked on the page), both in the shape the core walker reads.
 */
import type { TreeDir, TreeFile } from '#core/scan-tree';
import { isHiddenName, systemFolderReason } from '#core/system-files';

export type PickedFolder =
  | {
      readonly kind: 'handle';
      readonly handle: FileSystemDirectoryHandle;
      /** The same folder through the entries API (a drop), which lists the names the handle leaves out. */
      readonly entry?: FileSystemDirectoryEntry;
    }
  | {
      readonly kind: 'files';
      readonly name: string;
      readonly tree: TreeDir;
      readonly files: Map<string, File>;
    }
  | {
      /** What an <input webkitdirectory> delivered, read a slice at a time by {@link absorbFileList}. */
      readonly kind: 'list';
      readonly name: string;
      readonly list: ArrayLike<File>;
    };

type DirectoryPicker = (options?: {
  id?: string;
  mode?: 'read' | 'readwrite';
}) => Promise<FileSystemDirectoryHandle>;

export function canPickDirectory(): boolean {
  return typeof (window as { showDirectoryPicker?: unknown }).showDirectoryPicker === 'function';
}

/** Opens the browser's folder picker read-only; resolves null when the user closes it. */
export async function pickDirectory(): Promise<FileSystemDirectoryHandle | null> {
  const picker = (window as unknown as { showDirectoryPicker: DirectoryPicker }).showDirectoryPicker;
  try {
    return await picker({ id: 'specimen-folder', mode: 'read' });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') return null;
    throw error;
  }
}

/** The files an <input webkitdirectory> delivered, not yet read: a FileList of 100,000 files is read in slices. */
export function folderFromFileList(list: ArrayLike<File>): PickedFolder | null {
  const first = list[0];
  if (!first) return null;
  const name = (first.webkitRelativePath || first.name).split('/')[0] ?? 'folder';
  return { kind: 'list', name, list };
}

/** How long one slice of {@link absorbFileList} may keep the page's main thread. */
const SLICE_BUDGET_MS = 20;

/**
 * How often {@link absorbFileList} hands what it read on: each hand-over is a message to the folder worker and a
 * new count on the page, which then renders, so a few a second, not one a slice.
 */
const HAND_EVERY_MS = 200;

/**
 * A folder input's files as facts: paths below the picked folder, sizes and dates, by position in the list. Held in
 * one array and two typed arrays for the whole list, so reading 100,000 files leaves no arrays per slice behind for
 * the garbage collector, and the page keeps no second copy of them.
 */
export interface ListFacts {
  readonly paths: readonly string[];
  readonly sizes: Float64Array;
  readonly modified: Float64Array;
}

/**
 * Reads a folder input's files a slice at a time, yielding to the page between slices, and tells `hand` a few
 * times a second which of the list's facts are new (`from` up to `to`), in the list's order. Chromium asks its browser process for a picked file's size
 * and date, synchronously, the first time the File is measured or cloned (0.1–0.8 ms a file on a busy machine):
 * that call is the bare input's cost too, made here one file at a time with the budget checked after each. The
 * File objects stay on the page (the worker asks for those whose bytes it reads, see askingSource): cloning all
 * 100,000 to the worker cost it about 0.1 ms each to take in, and the slice's message the page more. Returns
 * every file by path, for the upload to read, and the facts. Rejects with an AbortError when `signal` aborts.
 */
export async function absorbFileList(
  list: ArrayLike<File>,
  hand: (facts: ListFacts, from: number, to: number) => void,
  signal: AbortSignal,
): Promise<{ files: Map<string, File>; facts: ListFacts }> {
  const files = new Map<string, File>();
  const paths: string[] = [];
  const facts: ListFacts = {
    paths,
    sizes: new Float64Array(list.length),
    modified: new Float64Array(list.length),
  };
  let handedAt = performance.now();
  let handed = 0;
  let i = 0;
  while (i < list.length) {
    const sliceStart = performance.now();
    do {
      const file = list[i] as File;
      const path = realPath(file);
      files.set(path, file);
      paths.push(path);
      facts.sizes[i] = file.size;
      facts.modified[i] = file.lastModified;
      i += 1;
    } while (i < list.length && performance.now() - sliceStart < SLICE_BUDGET_MS);
    if (i === list.length || performance.now() - handedAt >= HAND_EVERY_MS) {
      hand(facts, handed, i);
      handed = i;
      handedAt = performance.now();
    }
    if (i < list.length) {
      await yieldToPage();
      signal.throwIfAborted();
    }
  }
  return { files, facts };
}

/**
 * Lets input, rendering and the page's other tasks in, with a message: not scheduler.yield(), whose continuation
 * outranks ordinary tasks. In a trace of 20,000 files read with it (load 35), the folder worker made as the read
 * began started only 3 s after the list was read, so it took none of the slices meanwhile: the walk after the
 * list then waited for it (the list read at 16.2 s after change, the scan ended at 39.4 s).
 */
export function yieldToPage(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * A file's path below the picked folder, with its real name. Chromium's folder input turns a backslash in a file
 * name into a folder separator in `webkitRelativePath` (`a\b.txt` in `sub` comes as `Folder/sub/a/b.txt`), while
 * `File.name` keeps the real name. Tried with Chromium 156 on Linux on names holding \ : * ? " < > | tab, U+0001,
 * U+007F, U+202E, % # ~, U+2215 and U+FF0F: only the backslash was rewritten. (The entries API of a drop keeps
 * every one of these names; the File System Access listing, behind Choose folder and drops in Chrome, leaves out
 * the names holding \ : * ? " < > |, a control character or U+202E altogether.) The segments the rewritten name
 * became are put back into one, so the file is never placed in a folder that is not on the disk; the check then
 * names the backslash.
 */
function realPath(file: File): string {
  const relative = file.webkitRelativePath;
  const name = file.name;
  // Nearly every file: "Folder/sub/name", the name unchanged; the path below the folder is the rest.
  const nameAt = relative.length - name.length;
  if (nameAt > 0 && relative.charCodeAt(nameAt - 1) === SLASH && relative.endsWith(name)) {
    return relative.slice(relative.indexOf('/') + 1);
  }
  const parts = (relative || name).split('/');
  if (parts.length > 1) parts.shift();
  if (parts.at(-1) === name) return parts.join('/');
  const spans = name.split('\\').length;
  const tail = parts.slice(-spans);
  if (spans > 1 && spans <= parts.length && tail.join('\\') === name) {
    return [...parts.slice(0, -spans), name].join('/');
  }
  return [...parts.slice(0, -1), name].join('/');
}

const SLASH = 0x2f;

/**
 * Reads a drop. Must be called synchronously inside the drop handler: the DataTransfer empties afterwards.
 * Resolves to the dropped folder, or throws an Error whose message tells the user what to drop instead.
 */
export function folderFromDrop(data: DataTransfer): Promise<PickedFolder> {
  const items = Array.from(data.items).filter((item) => item.kind === 'file');
  if (items.length !== 1) {
    return Promise.reject(
      new Error(
        items.length === 0
          ? 'Nothing to scan was dropped. Drop a folder from your file manager.'
          : `You dropped ${items.length} items. Drop one folder that holds them all, or use Choose folder.`,
      ),
    );
  }
  const item = items[0] as DataTransferItem;
  const withHandle = item as DataTransferItem & {
    getAsFileSystemHandle?: () => Promise<FileSystemHandle | null>;
  };
  const entry = item.webkitGetAsEntry();
  const asFile = item.getAsFile();
  const handlePromise = withHandle.getAsFileSystemHandle?.();
  return (async () => {
    const handle = handlePromise ? await handlePromise : null;
    if (handle) {
      if (handle.kind !== 'directory') throw notAFolder(handle.name);
      const directory = handle as FileSystemDirectoryHandle;
      return entry?.isDirectory
        ? { kind: 'handle', handle: directory, entry: entry as FileSystemDirectoryEntry }
        : { kind: 'handle', handle: directory };
    }
    if (!entry) {
      if (asFile) throw notAFolder(asFile.name);
      throw new Error('The dropped item could not be read. Use Choose folder instead.');
    }
    if (!entry.isDirectory) throw notAFolder(entry.name);
    const files = new Map<string, File>();
    return {
      kind: 'files',
      name: entry.name,
      tree: entryDir(entry as FileSystemDirectoryEntry, '', files),
      files,
    };
  })();
}

/** Characters in a name that Chromium's File System Access listing leaves out (see realPath). */
// eslint-disable-next-line no-control-regex
const UNLISTED_CHARACTERS = /[\\:*?"<>|\u0000-\u001f\u007f\u202e]/g;

/**
 * The files of a dropped folder that its handle's listing left out, read by name only through the entries API,
 * each with the characters of its name that the listing refuses. `listed` holds the scanned paths; folders the
 * scan skipped (system folders, and hidden ones unless included) are not walked.
 */
export async function filesNotListed(
  root: FileSystemDirectoryEntry,
  listed: ReadonlySet<string>,
  includeHidden: boolean,
): Promise<{ readonly path: string; readonly characters: readonly string[] }[]> {
  const missing: { path: string; characters: string[] }[] = [];
  const stack: { dir: FileSystemDirectoryEntry; path: string }[] = [{ dir: root, path: '' }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const reader = next.dir.createReader();
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
        reader.readEntries(resolve, reject),
      );
      if (batch.length === 0) break;
      for (const child of batch) {
        const path = next.path === '' ? child.name : `${next.path}/${child.name}`;
        if (child.isDirectory) {
          const skipped =
            systemFolderReason(child.name) !== null || (!includeHidden && isHiddenName(child.name));
          if (!skipped) stack.push({ dir: child as FileSystemDirectoryEntry, path });
        } else if (!listed.has(path)) {
          missing.push({ path, characters: [...new Set(child.name.match(UNLISTED_CHARACTERS) ?? [])] });
        }
      }
    }
  }
  return missing;
}

function notAFolder(name: string): Error {
  return new Error(`"${name}" is a file, not a folder. Drop the folder that holds your images.`);
}

/** The older entries API, for drops in browsers without getAsFileSystemHandle. Records each File by path. */
function entryDir(dir: FileSystemDirectoryEntry, path: string, files: Map<string, File>): TreeDir {
  return {
    kind: 'directory',
    name: dir.name,
    async *values() {
      const reader = dir.createReader();
      // readEntries returns at most 100 entries per call; an empty batch means the end.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
          reader.readEntries(resolve, reject),
        );
        if (batch.length === 0) return;
        for (const child of batch) {
          const childPath = path === '' ? child.name : `${path}/${child.name}`;
          if (child.isDirectory) yield entryDir(child as FileSystemDirectoryEntry, childPath, files);
          else yield entryFile(child as FileSystemFileEntry, childPath, files);
        }
      }
    },
  };
}

function entryFile(entry: FileSystemFileEntry, path: string, files: Map<string, File>): TreeFile {
  return {
    kind: 'file',
    name: entry.name,
    getFile: async () => {
      const file = await new Promise<File>((resolve, reject) => entry.file(resolve, reject));
      files.set(path, file);
      return file;
    },
  };
}
