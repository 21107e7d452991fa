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
  // One buffer, filled again for each file: with a new buffer for each, the writes of 1,000 files of 250 KB stood
  // still near the end in Chromium (cause not found).
  const bytes = new Uint8Array(spec.size);
  const content = (): Uint8Array => {
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
          const access = await (handle as SyncFileHandle).createSyncAccessHandle();
          try {
            // Filled and written in one turn, so the other files in flight do not refill the buffer meanwhile.
            access.write(content(), { at: 0 });
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
 * The serial walk, reported beside the scan baseline: the plain recursive walk, reading the same facts as the
 * app (name and size via getFile()), one `await` after another. Timed inside the worker, from the first call on the root handle.
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

export interface FastScanSpec {
  readonly root: string;
  /** Folders listed and read at once. */
  readonly folders: number;
}

/**
 * The scan baseline: the fastest plain walk that reads the same facts as the app (name, size and date via
 * getFile()). Each folder's entries are listed, then all its getFile() calls are made at once; `folders` folders
 * are walked at a time, so one folder's listing overlaps another's reads. Timed inside the worker, from the
 * first call on the root handle.
 */
export async function fastScanInWorker(spec: FastScanSpec): Promise<RawScan> {
  const opfs = await navigator.storage.getDirectory();
  const root = await opfs.getDirectoryHandle(spec.root);
  let files = 0;
  let folders = 0;
  let bytes = 0;
  let dates = 0;
  const started = performance.now();
  const waiting: FileSystemDirectoryHandle[] = [root];
  let busy = 0;
  await new Promise<void>((resolve, reject) => {
    const visit = async (dir: FileSystemDirectoryHandle): Promise<void> => {
      folders += 1;
      const fileHandles: FileSystemFileHandle[] = [];
      for await (const handle of (dir as IterableDir).values()) {
        if (handle.kind === 'file') fileHandles.push(handle as FileSystemFileHandle);
        else waiting.push(handle as FileSystemDirectoryHandle);
      }
      const read = await Promise.all(fileHandles.map((handle) => handle.getFile()));
      for (const file of read) {
        files += 1;
        bytes += file.size;
        dates += file.lastModified > 0 ? 1 : 0;
      }
    };
    const pump = (): void => {
      while (busy < spec.folders && waiting.length > 0) {
        busy += 1;
        visit(waiting.pop() as FileSystemDirectoryHandle).then(() => {
          busy -= 1;
          pump();
        }, reject);
      }
      if (busy === 0 && waiting.length === 0) resolve();
    };
    pump();
  });
  const ms = performance.now() - started;
  if (dates !== files) throw new Error('a file without a date');
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
  /** When the clock started (performance.now() of the page), to find the long tasks of the raw run. */
  readonly startedAt: number;
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
  return { files: 1, bytes: file.size, ms, startedAt: started };
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
  return { files: list.length, bytes, ms: performance.now() - started, startedAt: started };
}

export interface PhotoSpec {
  readonly root: string;
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** Aim for a file of about this many bytes (a camera JPEG of a specimen: detail, noise, some smooth paper). */
  readonly targetBytes: number;
  readonly seed: number;
}

/**
 * Creates `<root>/<name>`: a generated photo-like JPEG (smooth gradients, shapes and sensor noise), its noise
 * and quality tuned in a few tries until the file is within 15 % of `targetBytes`.
 */
export async function makePhotoInWorker(
  spec: PhotoSpec,
): Promise<TreeMade & { quality: number; noise: number }> {
  const started = performance.now();
  const canvas = new OffscreenCanvas(spec.width, spec.height);
  const context = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
  const paint = (noise: number): void => {
    const gradient = context.createLinearGradient(0, 0, spec.width, spec.height);
    gradient.addColorStop(0, '#e8e2d0');
    gradient.addColorStop(1, '#b9a98a');
    context.fillStyle = gradient;
    context.fillRect(0, 0, spec.width, spec.height);
    let x = spec.seed >>> 0 || 1;
    const next = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 4294967296;
    };
    for (let i = 0; i < 400; i += 1) {
      context.fillStyle = `hsl(${Math.floor(next() * 120)}, ${30 + Math.floor(next() * 40)}%, ${20 + Math.floor(next() * 50)}%)`;
      context.beginPath();
      context.ellipse(
        next() * spec.width,
        next() * spec.height,
        20 + next() * 400,
        10 + next() * 200,
        next() * 3,
        0,
        Math.PI * 2,
      );
      context.fill();
    }
    const band = 256;
    for (let y = 0; y < spec.height; y += band) {
      const rows = Math.min(band, spec.height - y);
      const image = context.getImageData(0, y, spec.width, rows);
      const data = image.data;
      for (let i = 0; i < data.length; i += 4) {
        const n = (next() - 0.5) * noise;
        data[i] = (data[i] ?? 0) + n;
        data[i + 1] = (data[i + 1] ?? 0) + n;
        data[i + 2] = (data[i + 2] ?? 0) + n;
      }
      context.putImageData(image, 0, y);
    }
  };
  let noise = 40;
  let quality = 0.95;
  let blob: Blob | undefined;
  for (let attempt = 0; attempt < 6; attempt += 1) {
    paint(noise);
    blob = await canvas.convertToBlob({ type: 'image/jpeg', quality });
    const ratio = blob.size / spec.targetBytes;
    if (ratio > 0.85 && ratio < 1.15) break;
    noise = Math.max(2, Math.min(255, noise / Math.sqrt(ratio)));
    if (noise >= 255 && ratio < 1) quality = Math.min(0.99, quality + 0.02);
  }
  const opfs = await navigator.storage.getDirectory();
  await opfs.removeEntry(spec.root, { recursive: true }).catch(() => undefined);
  const root = await opfs.getDirectoryHandle(spec.root, { create: true });
  const handle = await root.getFileHandle(spec.name, { create: true });
  const access = await (handle as SyncFileHandle).createSyncAccessHandle();
  const bytes = new Uint8Array(await (blob as Blob).arrayBuffer());
  try {
    access.truncate(0);
    access.write(bytes, { at: 0 });
    access.flush();
  } finally {
    access.close();
  }
  return { files: 1, bytes: bytes.length, ms: performance.now() - started, quality, noise };
}

/** The image baseline: one decode and one JPEG encode of the whole image at `quality`, in a worker. */
export async function decodeEncodeInWorker(spec: {
  readonly root: string;
  readonly name: string;
  readonly quality: number;
}): Promise<{ ms: number; bytes: number }> {
  const opfs = await navigator.storage.getDirectory();
  const file = await (await (await opfs.getDirectoryHandle(spec.root)).getFileHandle(spec.name)).getFile();
  const started = performance.now();
  const image = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const canvas = new OffscreenCanvas(image.width, image.height);
  const context = canvas.getContext('2d', { alpha: false }) as OffscreenCanvasRenderingContext2D;
  context.drawImage(image, 0, 0);
  image.close();
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: spec.quality });
  return { ms: performance.now() - started, bytes: blob.size };
}
