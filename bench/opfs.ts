/**
 * Page-side generators and baselines for the origin-private file system (OPFS).
 *
 * Every exported `*InWorker` function is run inside a dedicated Web Worker created from a Blob URL in the app's
 * page (see `inWorker`); the others run on the page itself through `page.evaluate`. All of them are serialised
 * with `Function.prototype.toString()`, so each must be self-contained: no imports, no module-level helpers,
 * only browser globals. (tsx wraps inner named functions in `__name(...)`; `inWorker` and the page's init
 * script define it as the identity.)
 */
import type { Page } from '@playwright/test';

/** The OPFS APIs that the DOM lib this project compiles against does not declare (they are worker-only). */
interface SyncAccessHandle {
  write(buffer: ArrayBufferView, options?: { at?: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}
type SyncFileHandle = FileSystemFileHandle & { createSyncAccessHandle(): Promise<SyncAccessHandle> };
type IterableDir = FileSystemDirectoryHandle & {
  values(): AsyncIterable<FileSystemDirectoryHandle | FileSystemFileHandle>;
};

/** Runs `fn(arg)` in a fresh dedicated worker made from a Blob URL in `page`, and returns its result. */
export async function inWorker<A, R>(page: Page, fn: (arg: A) => Promise<R>, arg: A): Promise<R> {
  const result = await page.evaluate(
    async ({ source, input }) => {
      const code = [
        'var __name = (f) => f;',
        `const run = (${source});`,
        'onmessage = async (event) => {',
        '  try { postMessage({ ok: true, value: await run(event.data) }); }',
        '  catch (error) { postMessage({ ok: false, error: String((error && error.stack) || error) }); }',
        '};',
      ].join('\n');
      const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
      const worker = new Worker(url, { name: 'bench' });
      try {
        return await new Promise<{ ok: boolean; value?: unknown; error?: string }>((resolve, reject) => {
          worker.onmessage = (event: MessageEvent<{ ok: boolean; value?: unknown; error?: string }>) =>
            resolve(event.data);
          worker.onerror = (event) => reject(new Error(`bench worker failed: ${event.message}`));
          worker.postMessage(input);
        });
      } finally {
        worker.terminate();
        URL.revokeObjectURL(url);
      }
    },
    { source: fn.toString(), input: arg as unknown },
  );
  if (!result.ok) throw new Error(`In the page's bench worker: ${result.error ?? 'unknown error'}`);
  return result.value as R;
}

export interface TreeSpec {
  /** Name of the folder in the OPFS root; replaced if it exists. */
  readonly root: string;
  readonly folders: number;
  readonly filesPerFolder: number;
  /** Bytes per file; 0 makes empty files (fastest to create). */
  readonly size: number;
  readonly seed: number;
  /** Files created at once; keep it modest for non-empty files (hundreds of sync access handles in flight stall
   * Chromium's OPFS). */
  readonly concurrency: number;
}

export interface TreeMade {
  readonly files: number;
  readonly bytes: number;
  readonly ms: number;
}

/**
 * Creates `<root>/folder-NNN/file-NNNN.dat`, `concurrency` files at a time (one OPFS round trip after another would
 * dominate otherwise); non-empty files get xorshift bytes written through a sync access handle.
 */
export async function makeTreeInWorker(spec: TreeSpec): Promise<TreeMade> {
  const started = performance.now();
  const opfs = await navigator.storage.getDirectory();
  await opfs.removeEntry(spec.root, { recursive: true }).catch(() => undefined);
  const root = await opfs.getDirectoryHandle(spec.root, { create: true });
  const digits = (n: number) => String(n - 1).length;
  const folderDigits = Math.max(3, digits(spec.folders));
  const fileDigits = Math.max(4, digits(spec.filesPerFolder));
  let x = spec.seed >>> 0 || 1;
  const content = (): Uint8Array => {
    const bytes = new Uint8Array(spec.size);
    const words = new Uint32Array(bytes.buffer, 0, spec.size >>> 2);
    for (let i = 0; i < words.length; i += 1) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    return bytes;
  };
  const dirs: FileSystemDirectoryHandle[] = [];
  for (let d = 0; d < spec.folders; d += 1) {
    dirs.push(
      await root.getDirectoryHandle(`folder-${String(d).padStart(folderDigits, '0')}`, { create: true }),
    );
  }
  // A bounded number of files in flight: thousands of concurrent sync access handles stall Chromium's OPFS.
  const total = spec.folders * spec.filesPerFolder;
  let next = 0;
  let files = 0;
  await Promise.all(
    Array.from({ length: spec.concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const dir = dirs[Math.floor(i / spec.filesPerFolder)] as FileSystemDirectoryHandle;
        const name = `file-${String(i % spec.filesPerFolder).padStart(fileDigits, '0')}.dat`;
        const handle = await dir.getFileHandle(name, { create: true });
        if (spec.size > 0) {
          const data = content();
          const access = await (handle as SyncFileHandle).createSyncAccessHandle();
          try {
            access.write(data, { at: 0 });
          } finally {
            access.close();
          }
        }
        files += 1;
      }
    }),
  );
  return { files, bytes: files * spec.size, ms: performance.now() - started };
}

export interface BigFileSpec {
  readonly root: string;
  readonly name: string;
  readonly size: number;
  readonly chunk: number;
  readonly seed: number;
}

/** Creates `<root>/<name>` of `size` bytes, written in `chunk`-sized pieces of xorshift data. */
export async function makeBigFileInWorker(spec: BigFileSpec): Promise<TreeMade> {
  const started = performance.now();
  const opfs = await navigator.storage.getDirectory();
  await opfs.removeEntry(spec.root, { recursive: true }).catch(() => undefined);
  const root = await opfs.getDirectoryHandle(spec.root, { create: true });
  const handle = await root.getFileHandle(spec.name, { create: true });
  const access = await (handle as SyncFileHandle).createSyncAccessHandle();
  const buffer = new Uint8Array(spec.chunk);
  const words = new Uint32Array(buffer.buffer, 0, spec.chunk >>> 2);
  let x = spec.seed >>> 0 || 1;
  try {
    access.truncate(0);
    for (let at = 0; at < spec.size; at += spec.chunk) {
      for (let i = 0; i < words.length; i += 1) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        words[i] = x >>> 0;
      }
      const length = Math.min(spec.chunk, spec.size - at);
      const written = access.write(length === spec.chunk ? buffer : buffer.subarray(0, length), { at });
      if (written !== length) throw new Error(`short write at ${at}: ${written} of ${length} bytes`);
    }
    access.flush();
  } finally {
    access.close();
  }
  return { files: 1, bytes: spec.size, ms: performance.now() - started };
}

export interface RawScan {
  readonly files: number;
  readonly folders: number;
  readonly bytes: number;
  readonly ms: number;
}

/**
 * The scan baseline: the plain recursive walk, reading the same facts as the app (name and size via getFile()),
 * one `await` after another. Timed inside the worker, from the first call on the root handle.
 */
export async function rawScanInWorker(rootName: string): Promise<RawScan> {
  const opfs = await navigator.storage.getDirectory();
  const root = await opfs.getDirectoryHandle(rootName);
  let files = 0;
  let folders = 0;
  let bytes = 0;
  let nameChars = 0;
  const started = performance.now();
  const walk = async (dir: FileSystemDirectoryHandle): Promise<void> => {
    folders += 1;
    for await (const handle of (dir as IterableDir).values()) {
      if (handle.kind === 'file') {
        const file = await (handle as FileSystemFileHandle).getFile();
        files += 1;
        bytes += file.size;
        nameChars += file.name.length;
      } else {
        await walk(handle as FileSystemDirectoryHandle);
      }
    }
  };
  await walk(root);
  const ms = performance.now() - started;
  if (nameChars === 0 && files > 0) throw new Error('no names read');
  return { files, folders, bytes, ms };
}

/** Makes `window.showDirectoryPicker()` answer with the OPFS folder `rootName`. Runs on the page. */
export async function pickerReturnsOpfsFolder(rootName: string): Promise<void> {
  const opfs = await navigator.storage.getDirectory();
  const dir = await opfs.getDirectoryHandle(rootName);
  (
    window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }
  ).showDirectoryPicker = async () => dir;
}

export interface RawPut {
  readonly files: number;
  readonly bytes: number;
  readonly ms: number;
}

/** The big-file baseline: one `fetch(PUT)` of the OPFS File. Runs on the page; timed from getFile(). */
export async function rawPutOne(input: { root: string; name: string; url: string }): Promise<RawPut> {
  const opfs = await navigator.storage.getDirectory();
  const handle = await (await opfs.getDirectoryHandle(input.root)).getFileHandle(input.name);
  const started = performance.now();
  const file = await handle.getFile();
  const response = await fetch(input.url, { method: 'PUT', body: file });
  const ms = performance.now() - started;
  if (response.status !== 204)
    throw new Error(`raw PUT answered ${response.status}: ${await response.text()}`);
  return { files: 1, bytes: file.size, ms };
}

/**
 * The many-files baseline: `concurrency` async loops over a shared index, each `await fetch(PUT)` of one file
 * read through its handle. Runs on the page. The handles are collected first (the app has its scan list too);
 * the clock runs from the first getFile() to the last answer.
 */
export async function rawPutMany(input: {
  root: string;
  urlPrefix: string;
  concurrency: number;
}): Promise<RawPut> {
  const opfs = await navigator.storage.getDirectory();
  const root = await opfs.getDirectoryHandle(input.root);
  const list: { path: string; handle: FileSystemFileHandle }[] = [];
  const collect = async (dir: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
    for await (const handle of (dir as IterableDir).values()) {
      if (handle.kind === 'file')
        list.push({ path: prefix + handle.name, handle: handle as FileSystemFileHandle });
      else await collect(handle as FileSystemDirectoryHandle, `${prefix}${handle.name}/`);
    }
  };
  await collect(root, '');
  let next = 0;
  let bytes = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: input.concurrency }, async () => {
      for (;;) {
        const item = list[next];
        next += 1;
        if (!item) return;
        const file = await item.handle.getFile();
        const url = input.urlPrefix + encodeURIComponent(item.path.replaceAll('/', '__'));
        const response = await fetch(url, { method: 'PUT', body: file });
        if (response.status !== 204) throw new Error(`raw PUT of ${item.path} answered ${response.status}`);
        bytes += file.size;
      }
    }),
  );
  return { files: list.length, bytes, ms: performance.now() - started };
}
