/**
 * Real folders on disk for the scenarios that go through `<input webkitdirectory>` (the path every browser has),
 * and the page-side pieces that time the browser's own hand-over of the FileList. Page-side functions are
 * serialised like those in opfs.ts: self-contained, browser globals only.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import type { BenchWindow } from './browser.ts';

export interface DiskTree {
  readonly dir: string;
  readonly files: number;
  readonly bytes: number;
}

/** Writes `<dir>/folder-NNN/file-NNNN.dat`, `size` xorshift bytes each (0: empty files), 64 writes at a time. */
export async function makeDiskTree(
  dir: string,
  spec: { folders: number; filesPerFolder: number; size: number; seed: number },
): Promise<DiskTree> {
  await rm(dir, { recursive: true, force: true });
  let x = spec.seed >>> 0 || 1;
  const content = (): Buffer => {
    const words = new Uint32Array(Math.ceil(spec.size / 4));
    for (let i = 0; i < words.length; i += 1) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    return Buffer.from(words.buffer, 0, spec.size);
  };
  const jobs: { file: string; data: Buffer }[] = [];
  for (let d = 0; d < spec.folders; d += 1) {
    const folder = path.join(dir, `folder-${String(d).padStart(3, '0')}`);
    await mkdir(folder, { recursive: true });
    for (let f = 0; f < spec.filesPerFolder; f += 1) {
      jobs.push({ file: path.join(folder, `file-${String(f).padStart(4, '0')}.dat`), data: content() });
    }
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      for (let job = jobs[next++]; job; job = jobs[next++]) await writeFile(job.file, job.data);
    }),
  );
  return { dir, files: jobs.length, bytes: jobs.length * spec.size };
}

/** Makes the app's Choose folder fall back to its `<input webkitdirectory>`, as in browsers without the picker. */
export async function withoutDirectoryPicker(page: Page): Promise<void> {
  await page.addInitScript(() => {
    delete (window as { showDirectoryPicker?: unknown }).showDirectoryPicker;
    delete (Window.prototype as { showDirectoryPicker?: unknown }).showDirectoryPicker;
  });
}

/**
 * Adds a bare `<input type=file webkitdirectory>` to the page that notes when its FileList arrives (`listAt`) and
 * when it has read the facts the app shows of each file, its path, size and date (`at`): the browser fetches a
 * picked file's size and date with one blocking call the first time either is read, so that is part of the limit.
 * Runs on the page.
 */
export function addBareFolderInput(): void {
  const input = document.createElement('input');
  input.type = 'file';
  input.webkitdirectory = true;
  input.id = 'bench-bare-input';
  const seen = { at: 0, listAt: 0, changedAt: 0, files: 0, bytes: 0, newest: 0, pathChars: 0 };
  (window as unknown as { __bareInput: typeof seen }).__bareInput = seen;
  input.addEventListener('change', () => {
    seen.listAt = Date.now();
    seen.changedAt = performance.now();
    const list = input.files;
    let bytes = 0;
    let newest = 0;
    let pathChars = 0;
    for (let i = 0; i < (list?.length ?? 0); i += 1) {
      const file = list?.[i] as File;
      pathChars += file.webkitRelativePath.length;
      bytes += file.size;
      newest = Math.max(newest, file.lastModified);
    }
    seen.files = list?.length ?? 0;
    seen.bytes = bytes;
    seen.newest = newest;
    seen.pathChars = pathChars;
    seen.at = Date.now();
  });
  document.body.append(input);
}

/**
 * The disk baseline's upload: `concurrency` loops of fetch(PUT) over the bare input's files, as in rawPutMany.
 * Runs on the page; returns when the last answer came.
 */
export async function rawPutInputFiles(input: { urlPrefix: string; concurrency: number }): Promise<number> {
  const list = (document.getElementById('bench-bare-input') as HTMLInputElement).files;
  if (!list) throw new Error('the bare input holds no files');
  let next = 0;
  let sent = 0;
  await Promise.all(
    Array.from({ length: input.concurrency }, async () => {
      for (;;) {
        const file = list[next];
        next += 1;
        if (!file) return;
        const url = input.urlPrefix + encodeURIComponent(file.webkitRelativePath.replaceAll('/', '__'));
        const response = await fetch(url, { method: 'PUT', body: file });
        if (response.status !== 204) throw new Error(`raw PUT of ${file.name} answered ${response.status}`);
        sent += 1;
      }
    }),
  );
  return sent;
}

/**
 * Hands `dir` to the bare input and waits until it has read every file's path, size and date; from the call, ms
 * to that (`ms`) and to its change event (`listMs`, the FileList alone).
 */
export async function bareInputFacts(
  page: Page,
  dir: string,
  files: number,
): Promise<{ ms: number; listMs: number }> {
  await page.evaluate(addBareFolderInput);
  const started = Date.now();
  await page.locator('#bench-bare-input').setInputFiles(dir);
  await page.waitForFunction(
    () => (window as unknown as { __bareInput: { at: number } }).__bareInput.at > 0,
    undefined,
    {
      polling: 50,
      timeout: 600_000,
    },
  );
  const seen = await page.evaluate(
    () => (window as unknown as { __bareInput: { at: number; listAt: number; files: number } }).__bareInput,
  );
  if (seen.files !== files)
    throw new Error(`the bare input delivered ${seen.files} files, expected ${files}`);
  return { ms: seen.at - started, listMs: seen.listAt - started };
}

/** {@link bareInputFacts}' time to the files' facts, in ms. */
export async function bareInputDelivery(page: Page, dir: string, files: number): Promise<number> {
  return (await bareInputFacts(page, dir, files)).ms;
}

/**
 * Chromium makes a folder's File objects in the task that fires `change` (about 5 s for 10,000 files on this
 * machine), before any page code runs. After a hand-over, returns how long that task ran before `change`: the
 * browser's part of the task, on the bare input or on the app's. 0 when the hand-over took no long task.
 */
export async function handOverTaskMs(page: Page, changedAt: number): Promise<number> {
  // Long tasks are reported asynchronously.
  await page.waitForTimeout(1200);
  return page.evaluate((at) => {
    const tasks = (window as unknown as BenchWindow).__bench.longTasks;
    const task = tasks.find((t) => t.start <= at && t.start + t.duration >= at);
    return task ? at - task.start : 0;
  }, changedAt);
}

/** performance.now() of the bare input's last `change`. */
export function bareChangedAt(page: Page): Promise<number> {
  return page.evaluate(
    () => (window as unknown as { __bareInput: { changedAt: number } }).__bareInput.changedAt,
  );
}
