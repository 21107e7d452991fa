/**
 * The origin private file system (OPFS), where web copies wait until they are uploaded: the same bytes are sent
 * again after a pause or a retry, and nothing is ever written next to the originals. Paths are '/'-separated and
 * relative to one folder per picked folder, `derivatives/<folder>`.
 */

const ROOT = 'derivatives';

/** A folder name that is safe as one OPFS entry (no separators, not empty). */
export function storeName(folderName: string): string {
  const name = folderName.split('\u0000').join('_').replace(/[/\\]/g, '_').trim();
  return name === '' || name === '.' || name === '..' ? '_' : name;
}

async function directory(path: readonly string[], create: boolean): Promise<FileSystemDirectoryHandle> {
  let dir = await navigator.storage.getDirectory();
  for (const part of path) dir = await dir.getDirectoryHandle(part, { create });
  return dir;
}

function split(path: string): { readonly folders: string[]; readonly name: string } {
  const parts = path.split('/');
  const name = parts.pop() ?? '';
  return { folders: parts, name };
}

/** Where a folder's web copies live. */
export function storePath(folderName: string): readonly string[] {
  return [ROOT, storeName(folderName)];
}

/** Opens a stored copy for reading (for the upload and the preview). */
export async function openStored(folderName: string, path: string): Promise<File> {
  const { folders, name } = split(path);
  const dir = await directory([...storePath(folderName), ...folders], false);
  return (await dir.getFileHandle(name)).getFile();
}

/**
 * Writes a copy, replacing an older one of the same name, and returns the file as stored (its date is what the
 * upload later checks the copy against).
 */
export async function writeStored(folderName: string, path: string, blob: Blob): Promise<File> {
  const { folders, name } = split(path);
  const dir = await directory([...storePath(folderName), ...folders], true);
  const handle = await dir.getFileHandle(name, { create: true });
  if (syncAccess(handle)) {
    // In a worker: written in place, without the temporary file and the copy a writable stream makes.
    const access = await handle.createSyncAccessHandle();
    try {
      const bytes = new Uint8Array(await blob.arrayBuffer());
      access.truncate(0);
      if (access.write(bytes, { at: 0 }) !== bytes.length) throw new Error('the copy was written short');
      access.flush();
    } finally {
      access.close();
    }
    return handle.getFile();
  }
  const writable = await handle.createWritable();
  try {
    await writable.write(blob);
    await writable.close();
  } catch (error) {
    await writable.abort().catch(() => undefined);
    throw error;
  }
  return handle.getFile();
}

interface SyncAccessHandle {
  write(buffer: Uint8Array, options?: { at?: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}

/** Whether synchronous access is there: in dedicated workers only (the DOM library does not declare it). */
function syncAccess(
  handle: FileSystemFileHandle,
): handle is FileSystemFileHandle & { createSyncAccessHandle(): Promise<SyncAccessHandle> } {
  return typeof (handle as { createSyncAccessHandle?: unknown }).createSyncAccessHandle === 'function';
}

/** Forgets a folder's copies (after they are uploaded, or when the user starts over). */
export async function clearStored(folderName: string): Promise<void> {
  const root = await directory([ROOT], true);
  await root.removeEntry(storeName(folderName), { recursive: true }).catch((error: unknown) => {
    if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw error;
  });
}

/** How much the origin may still store, in bytes, when the browser says. */
export async function freeSpace(): Promise<number | undefined> {
  const estimate = await navigator.storage.estimate?.();
  if (estimate?.quota === undefined || estimate.usage === undefined) return undefined;
  return estimate.quota - estimate.usage;
}
