/**
 * day-100's baseline: the web copies of every file of the page's bare input (see disk-tree.ts), made in plain
 * workers, one per core (navigator.hardwareConcurrency), each taking the next file as it finishes one. Per file
 * the same work as the app's image worker: one decode (EXIF turn applied), each copy drawn from the next larger
 * one on white with high-quality resampling, one JPEG encode each, written to OPFS with a sync access handle.
 * Both functions are serialised (see opfs.ts): self-contained, browser globals only.
 */

export interface CopySpec {
  readonly suffix: string;
  readonly width: number;
  readonly height: number;
  readonly quality: number;
}

export interface PlainCopies {
  readonly ms: number;
  readonly workers: number;
  readonly copies: number;
  readonly bytes: number;
}

/** The worker's body: answers each { file, name, copies } with { copies, bytes } after writing the copies. */
export function plainCopyWorker(): void {
  type Access = {
    write(b: Uint8Array, o: { at: number }): number;
    truncate(n: number): void;
    flush(): void;
    close(): void;
  };
  onmessage = async (event: MessageEvent) => {
    const { file, name, copies, store } = event.data as {
      file: File;
      name: string;
      copies: CopySpec[];
      store: string;
    };
    try {
      const image = await createImageBitmap(file, { imageOrientation: 'from-image' });
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(store, { create: true });
      let source: CanvasImageSource = image;
      let bytes = 0;
      for (const copy of copies) {
        const canvas = new OffscreenCanvas(copy.width, copy.height);
        const context = canvas.getContext('2d', { alpha: false }) as OffscreenCanvasRenderingContext2D;
        context.fillStyle = '#ffffff';
        context.fillRect(0, 0, copy.width, copy.height);
        context.imageSmoothingEnabled = true;
        context.imageSmoothingQuality = 'high';
        context.drawImage(source, 0, 0, copy.width, copy.height);
        source = canvas;
        const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: copy.quality });
        const handle = await dir.getFileHandle(name.replace(/\.jpe?g$/i, `${copy.suffix}.jpg`), {
          create: true,
        });
        const access = (await (
          handle as unknown as { createSyncAccessHandle(): Promise<Access> }
        ).createSyncAccessHandle()) as Access;
        try {
          const data = new Uint8Array(await blob.arrayBuffer());
          access.truncate(0);
          access.write(data, { at: 0 });
          access.flush();
        } finally {
          access.close();
        }
        bytes += blob.size;
      }
      image.close();
      postMessage({ copies: copies.length, bytes });
    } catch (error) {
      postMessage({ error: String(error) });
    }
  };
}

/** Runs on the page: the copies of the bare input's files in `navigator.hardwareConcurrency` plain workers. */
export async function plainCopiesOnPage(input: {
  readonly worker: string;
  readonly copies: readonly CopySpec[];
  readonly store: string;
}): Promise<PlainCopies> {
  const list = (document.getElementById('bench-bare-input') as HTMLInputElement).files;
  if (!list) throw new Error('the bare input holds no files');
  const files = Array.from(list);
  const opfs = await navigator.storage.getDirectory();
  await opfs.removeEntry(input.store, { recursive: true }).catch(() => undefined);
  const url = URL.createObjectURL(
    new Blob([`var __name = (f) => f;\n(${input.worker})();`], { type: 'text/javascript' }),
  );
  const count = navigator.hardwareConcurrency || 2;
  const workers = Array.from({ length: count }, () => new Worker(url, { name: 'plain-copies' }));
  let next = 0;
  let copies = 0;
  let bytes = 0;
  const started = performance.now();
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const give = () => {
              const file = files[next];
              next += 1;
              if (!file) {
                resolve();
                return;
              }
              worker.postMessage({ file, name: file.name, copies: input.copies, store: input.store });
            };
            worker.onmessage = (event: MessageEvent<{ copies?: number; bytes?: number; error?: string }>) => {
              if (event.data.error) {
                reject(new Error(event.data.error));
                return;
              }
              copies += event.data.copies ?? 0;
              bytes += event.data.bytes ?? 0;
              give();
            };
            worker.onerror = (event) => reject(new Error(`plain copy worker failed: ${event.message}`));
            give();
          }),
      ),
    );
    return { ms: performance.now() - started, workers: count, copies, bytes };
  } finally {
    workers.forEach((worker) => worker.terminate());
    URL.revokeObjectURL(url);
    await opfs.removeEntry(input.store, { recursive: true }).catch(() => undefined);
  }
}
