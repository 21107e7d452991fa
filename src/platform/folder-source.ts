/**
 * Where the bytes of a scanned file come from at upload time. A picked directory handle is asked again by path
 * (so the page never holds 100,000 File objects); the input and drop fallbacks keep the File objects they got.
 */

export interface FolderSource {
  /** The picked folder's own name. */
  readonly name: string;
  /** Opens the file at `path` (relative to the folder) for reading. */
  open(path: string): Promise<File>;
}

export function handleSource(root: FileSystemDirectoryHandle): FolderSource {
  const dirs = new Map<string, Promise<FileSystemDirectoryHandle>>([['', Promise.resolve(root)]]);
  const dir = (path: string): Promise<FileSystemDirectoryHandle> => {
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
    name: root.name,
    async open(path) {
      const cut = path.lastIndexOf('/');
      const parent = await dir(cut < 0 ? '' : path.slice(0, cut));
      const handle = await parent.getFileHandle(path.slice(cut + 1));
      return handle.getFile();
    },
  };
}

export function filesSource(name: string, files: ReadonlyMap<string, File>): FolderSource {
  return {
    name,
    async open(path) {
      const file = files.get(path);
      if (!file) throw new DOMException(`"${path}" is not in the picked folder.`, 'NotFoundError');
      return file;
    },
  };
}
